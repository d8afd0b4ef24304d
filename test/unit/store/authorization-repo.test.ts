import { describe, it, expect } from 'vitest';
import type { AuthorizationEntry } from '../../../src/model/types.js';
import { useTempStores } from './temp-store.js';

const NOW_MS = Date.UTC(2026, 0, 5, 8, 0, 0);
const accepted: AuthorizationEntry = { idToken: 'TAG-1', status: 'Accepted' };

describe('AuthorizationRepo', () => {
  const stores = useTempStores();

  it('answers the status of a token on the list', () => {
    const { authorizations } = stores.open();
    authorizations.upsertMany([accepted, { idToken: 'TAG-2', status: 'Blocked' }]);
    expect([authorizations.lookup('TAG-1', NOW_MS), authorizations.lookup('TAG-2', NOW_MS)]).toEqual(['Accepted', 'Blocked']);
  });

  it('answers undefined for a token not on the list', () => {
    const { authorizations } = stores.open();
    authorizations.upsertMany([accepted]);
    expect(authorizations.lookup('TAG-X', NOW_MS)).toBeUndefined();
  });

  it('an accepted token is still accepted just before its expiry', () => {
    const { authorizations } = stores.open();
    authorizations.upsertMany([{ ...accepted, expiryMs: NOW_MS + 1 }]);
    expect(authorizations.lookup('TAG-1', NOW_MS)).toBe('Accepted');
  });

  it('an accepted token reads as Expired from its expiry on', () => {
    const { authorizations } = stores.open();
    authorizations.upsertMany([{ ...accepted, expiryMs: NOW_MS }]);
    expect(authorizations.lookup('TAG-1', NOW_MS)).toBe('Expired');
  });

  it('a blocked token stays Blocked after its expiry', () => {
    const { authorizations } = stores.open();
    authorizations.upsertMany([{ idToken: 'TAG-1', status: 'Blocked', expiryMs: NOW_MS - 1 }]);
    expect(authorizations.lookup('TAG-1', NOW_MS)).toBe('Blocked');
  });

  it('upsertMany replaces an existing entry and keeps the others', () => {
    const { authorizations } = stores.open();
    authorizations.upsertMany([accepted, { idToken: 'TAG-2', status: 'Accepted' }]);
    authorizations.upsertMany([{ idToken: 'TAG-1', status: 'Blocked', parentIdToken: 'FLEET' }], 4);
    expect(authorizations.list()).toEqual([
      { idToken: 'TAG-1', status: 'Blocked', expiryMs: undefined, parentIdToken: 'FLEET' },
      { idToken: 'TAG-2', status: 'Accepted', expiryMs: undefined, parentIdToken: undefined },
    ]);
    expect(authorizations.version()).toBe(4);
  });

  it('replaceAll installs exactly the new list and its version', () => {
    const { authorizations } = stores.open();
    authorizations.upsertMany([accepted, { idToken: 'TAG-2', status: 'Accepted' }], 1);
    authorizations.replaceAll([{ idToken: 'TAG-3', status: 'Accepted' }], 7);
    expect({ tokens: authorizations.list().map((e) => e.idToken), version: authorizations.version() }).toEqual({
      tokens: ['TAG-3'],
      version: 7,
    });
  });

  it('remove deletes the named tokens and counts those that were there', () => {
    const { authorizations } = stores.open();
    authorizations.upsertMany([accepted, { idToken: 'TAG-2', status: 'Accepted' }]);
    expect(authorizations.remove(['TAG-1', 'TAG-X'], 3)).toBe(1);
    expect({ tokens: authorizations.list().map((e) => e.idToken), version: authorizations.version() }).toEqual({
      tokens: ['TAG-2'],
      version: 3,
    });
  });

  it('the version of a list never installed is 0', () => {
    expect(stores.open().authorizations.version()).toBe(0);
  });

  it('keeps the list and its version across close and reopen', () => {
    const first = stores.open();
    first.authorizations.replaceAll([accepted], 12);
    first.close();
    const { authorizations } = stores.open();
    expect([authorizations.lookup('TAG-1', NOW_MS), authorizations.version()]).toEqual(['Accepted', 12]);
  });

  it('caches the last answer seen for a token', () => {
    const { authorizations } = stores.open();
    authorizations.cache('TAG-1', 'Accepted', NOW_MS, NOW_MS + 3_600_000);
    authorizations.cache('TAG-1', 'Blocked', NOW_MS + 1_000);
    expect(authorizations.cached('TAG-1')).toEqual({ idToken: 'TAG-1', status: 'Blocked', expiryMs: undefined, lastSeenMs: NOW_MS + 1_000 });
  });

  it('has no cached answer for a token never seen', () => {
    expect(stores.open().authorizations.cached('TAG-1')).toBeUndefined();
  });

  it('clearing the cache leaves the local list alone', () => {
    const { authorizations } = stores.open();
    authorizations.upsertMany([accepted]);
    authorizations.cache('TAG-1', 'Accepted', NOW_MS);
    expect(authorizations.clearCache()).toBe(1);
    expect([authorizations.cached('TAG-1'), authorizations.lookup('TAG-1', NOW_MS)]).toEqual([undefined, 'Accepted']);
  });
});
