import { readFileSync } from 'node:fs';
import type { SiteValues } from './site-state-repo.js';

const KEY = 'store.lastRun';

/** What the store remembers of the run that had the database open before this one. */
interface LastRun {
  /** The operating system's boot id then (Linux), so a restart of the system can be told apart from one of the process. */
  bootId?: string;
  /** True while that run had the database open: still true at the next open means it never closed. */
  open: boolean;
}

/** The Linux kernel's id of the current boot; undefined where there is none (other systems). */
export function systemBootId(): string | undefined {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether writes committed but not yet synced by the previous run may be gone: that run never
 * closed the store (it was killed, or the machine lost power or crashed), and the system may
 * have restarted since (a different boot id, or no boot id to compare). A crash of the process
 * alone loses nothing committed: the operating system still had it and wrote it out. Marks this
 * run as open (a durable write: outside any batch the store's writes autocommit with a sync).
 * A database written by a version that kept no such record counts as closed: that version
 * answered nothing before its sync.
 */
export function openRun(site: SiteValues, bootId: string | undefined): { mayHaveLostUnsynced: boolean } {
  const last = lastRunOf(site.get(KEY));
  const systemRestarted = last?.bootId === undefined || bootId === undefined || last.bootId !== bootId;
  site.set(KEY, { ...(bootId !== undefined ? { bootId } : {}), open: true } satisfies LastRun);
  return { mayHaveLostUnsynced: last?.open === true && systemRestarted };
}

/** Marks the run as closed; call once everything committed is synced (the group commit's close). */
export function closeRun(site: SiteValues, bootId: string | undefined): void {
  site.set(KEY, { ...(bootId !== undefined ? { bootId } : {}), open: false } satisfies LastRun);
}

function lastRunOf(value: unknown): LastRun | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v['open'] !== 'boolean') return undefined;
  return { open: v['open'], ...(typeof v['bootId'] === 'string' ? { bootId: v['bootId'] } : {}) };
}
