/**
 * Where the one-time passwords of commissioning sheets are kept (as SHA-256 digests with their
 * expiry). A sheet is printed and may be used days later, so the hub keeps them in the store
 * (per-station state of the invited id): a restart or an upgrade does not void a printed sheet.
 */

/** One sheet's password: its SHA-256 digest (base64) and until when it is good, ms since the epoch. */
export interface Invitation {
  digestB64: string;
  untilMs: number;
}

export interface InvitationStore {
  get(stationId: string): Invitation | undefined;
  set(stationId: string, invitation: Invitation): void;
  delete(stationId: string): void;
}

/** Invitations in memory only (tests, tools): gone with the process. */
export function memoryInvitations(): InvitationStore {
  const map = new Map<string, Invitation>();
  return {
    get: (id) => map.get(id),
    set: (id, inv) => void map.set(id, inv),
    delete: (id) => void map.delete(id),
  };
}

/** The per-station key the invitation is stored under. */
export const INVITATION_KEY = 'commissioning.invitation';

/** Invitations in the store's per-station state (a stored value of another shape counts as none). */
export function storedInvitations(state: {
  get(stationId: string, key: string): unknown;
  set(stationId: string, key: string, value: unknown): void;
  delete(stationId: string, key: string): boolean;
}): InvitationStore {
  return {
    get: (id) => invitationFrom(state.get(id, INVITATION_KEY)),
    set: (id, inv) => state.set(id, INVITATION_KEY, inv),
    delete: (id) => void state.delete(id, INVITATION_KEY),
  };
}

function invitationFrom(value: unknown): Invitation | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { digestB64, untilMs } = value as Record<string, unknown>;
  if (typeof digestB64 !== 'string' || typeof untilMs !== 'number' || !Number.isFinite(untilMs)) return undefined;
  return { digestB64, untilMs };
}
