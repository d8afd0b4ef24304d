/** Whether a listen address is this machine only (localhost, 127.x.x.x, ::1). */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}
