import { closeSync, fdatasync, fdatasyncSync, openSync } from 'node:fs';

/**
 * fdatasync of a database's write-ahead log through one descriptor kept open (one trip through
 * the thread pool per sync, instead of open, sync and close). SQLite deletes the log only when
 * the last connection to the database closes, and the hub's connection stays open for as long as
 * its group commit is used, so the descriptor always names the live log (a checkpoint that
 * truncates or restarts the log keeps the file). Opened at the first sync, when the log exists.
 */
export class WalFileSync {
  private fd: number | undefined;

  constructor(private readonly path: string) {}

  /** Syncs the log in the thread pool. */
  sync(): Promise<void> {
    let fd: number;
    try {
      fd = this.descriptor();
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise((resolve, reject) => fdatasync(fd, (err) => (err ? reject(err) : resolve())));
  }

  /** Syncs the log on the calling thread (used when the store closes). */
  syncNow(): void {
    fdatasyncSync(this.descriptor());
  }

  /** Closes the descriptor (after the store's last sync). */
  close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    closeSync(fd);
  }

  private descriptor(): number {
    this.fd ??= openSync(this.path, 'r');
    return this.fd;
  }
}
