import { describe, expect, it } from 'vitest';
import { INVITATION_KEY, storedInvitations } from '../../../src/evse/commissioning-invitations.js';
import { Commissioning } from '../../../src/evse/commissioning.js';
import { FakeClock } from '../../../src/util/fake-clock.js';

/** The store's per-station state, as a map (the real one is SQLite). */
function fakeState() {
  const rows = new Map<string, unknown>();
  const k = (id: string, key: string) => `${id}\u0000${key}`;
  return {
    rows,
    get: (id: string, key: string) => rows.get(k(id, key)),
    set: (id: string, key: string, value: unknown) => void rows.set(k(id, key), JSON.parse(JSON.stringify(value))),
    delete: (id: string, key: string) => rows.delete(k(id, key)),
  };
}

describe('stored commissioning invitations', () => {
  it('let a sheet password made by one Commissioning admit the id in the next one (a restart), once', () => {
    const clock = new FakeClock(1_000_000);
    const state = fakeState();
    new Commissioning({ clock, invitations: storedInvitations(state) }).invite('CP-9', 'one-time-pass-123', 3600);
    const [stored] = [...state.rows.values()];
    expect(JSON.stringify(stored)).not.toContain('one-time-pass-123');

    const after = new Commissioning({ clock, invitations: storedInvitations(state) });
    expect(after.admit('CP-9', '192.168.1.20', 'wrong-password')).toMatch(/no commissioning window/);
    expect(after.admit('CP-9', '192.168.1.20', 'one-time-pass-123')).toBeUndefined();
    expect(after.isPending('CP-9')).toBe(true);
    expect(state.get('CP-9', INVITATION_KEY)).toBeUndefined();
  });

  it('do not admit after their time, and treat a stored value of another shape as none', () => {
    const clock = new FakeClock(1_000_000);
    const state = fakeState();
    const c = new Commissioning({ clock, invitations: storedInvitations(state) });
    c.invite('CP-9', 'one-time-pass-123', 60);
    clock.advanceMs(60_000);
    expect(c.admit('CP-9', '10.0.0.5', 'one-time-pass-123')).toMatch(/no commissioning window/);
    state.set('CP-8', INVITATION_KEY, { digest: 'x' });
    expect(storedInvitations(state).get('CP-8')).toBeUndefined();
  });
});
