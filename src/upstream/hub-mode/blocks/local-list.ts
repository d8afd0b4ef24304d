/**
 * Authorization block (OCPP 2.0.1 C/D): the hub owns the site's local list and its own
 * authorization cache, and keeps the chargers' copies in step.
 *
 * - SendLocalList: stored by the hub (AuthorizationRepo, used for offline authorization) and
 *   answered from that; a Differential update whose version is not newer than the hub's gets
 *   VersionMismatch. Then every connected charger gets the whole list as a Full update at the
 *   hub's version, in its own version (1.6: idTag/idTagInfo; ids longer than 20 characters are
 *   left out of a 1.6 charger's copy). A charger that boots with another version gets it again.
 * - GetLocalListVersion: the hub's version.
 * - ClearCache: the hub's cache and every connected charger's; Accepted only when all cleared.
 */
import type { AuthorizationEntry } from '../../../model/types.js';
import { authorizationStatus16Of, idTagOf2x } from '../id-tokens.js';
import type { IdToken2x } from '../wire-2x.js';
import type { BlockContext, ChargerRef, HubBlock } from './block-types.js';
import { callAll, combineStatuses, info, isRecord, statusOf } from './targets.js';

interface ListItem2x {
  idToken: IdToken2x;
  idTokenInfo?: { status: string; cacheExpiryDateTime?: string; groupIdToken?: IdToken2x } & Record<string, unknown>;
}

interface StoredList {
  version: number;
  items: ListItem2x[];
}

const KEY = 'local-list';

function stored(ctx: BlockContext): StoredList {
  const v = ctx.load(KEY);
  return isRecord(v) && typeof v.version === 'number' && Array.isArray(v.items) ? (v as unknown as StoredList) : { version: 0, items: [] };
}

function entryOf(item: ListItem2x & { idTokenInfo: NonNullable<ListItem2x['idTokenInfo']> }): AuthorizationEntry {
  const expiryMs = item.idTokenInfo.cacheExpiryDateTime ? Date.parse(item.idTokenInfo.cacheExpiryDateTime) : undefined;
  const parent = item.idTokenInfo.groupIdToken?.idToken;
  return {
    idToken: item.idToken.idToken,
    status: authorizationStatus16Of(item.idTokenInfo.status),
    ...(expiryMs !== undefined && Number.isFinite(expiryMs) ? { expiryMs } : {}),
    ...(parent !== undefined ? { parentIdToken: parent } : {}),
  };
}

/** The list as a Full SendLocalList for a charger of `version`. */
export function fullListFor(list: StoredList, version: ChargerRef['version']): object {
  if (version !== '1.6') return { versionNumber: list.version, updateType: 'Full', localAuthorizationList: list.items };
  const items = list.items.flatMap((item) => {
    const idTag = idTagOf2x(item.idToken);
    if (idTag === undefined || !item.idTokenInfo) return [];
    const parent = item.idTokenInfo.groupIdToken ? idTagOf2x(item.idTokenInfo.groupIdToken) : undefined;
    return [
      {
        idTag,
        idTagInfo: {
          status: authorizationStatus16Of(item.idTokenInfo.status),
          ...(item.idTokenInfo.cacheExpiryDateTime ? { expiryDate: item.idTokenInfo.cacheExpiryDateTime } : {}),
          ...(parent !== undefined ? { parentIdTag: parent } : {}),
        },
      },
    ];
  });
  return { listVersion: list.version, updateType: 'Full', localAuthorizationList: items };
}

function distribute(ctx: BlockContext, list: StoredList, chargers: readonly ChargerRef[]): void {
  for (const charger of chargers) {
    void ctx.callCharger(charger, 'SendLocalList', fullListFor(list, charger.version)).then((r) => {
      if (statusOf(r) !== 'Accepted') ctx.log.warn({ stationId: charger.stationId, status: statusOf(r) ?? 'no answer' }, 'charger did not take the site local list');
    });
  }
}

function sendLocalList(ctx: BlockContext, p: Record<string, unknown>): object {
  const version = Number(p.versionNumber);
  const items = (Array.isArray(p.localAuthorizationList) ? p.localAuthorizationList : []) as ListItem2x[];
  const current = stored(ctx);
  let next: StoredList;
  if (p.updateType === 'Full') {
    next = { version, items: items.filter((i) => i.idTokenInfo !== undefined) };
    ctx.store.authorizations.replaceAll(next.items.map((i) => entryOf(i as Parameters<typeof entryOf>[0])), version);
  } else {
    if (version <= current.version) return { status: 'VersionMismatch', statusInfo: info('VersionMismatch', `the hub holds version ${current.version}`) };
    const byToken = new Map(current.items.map((i) => [i.idToken.idToken, i]));
    const removed: string[] = [];
    for (const item of items) {
      if (item.idTokenInfo) byToken.set(item.idToken.idToken, item);
      else {
        byToken.delete(item.idToken.idToken);
        removed.push(item.idToken.idToken);
      }
    }
    next = { version, items: [...byToken.values()] };
    const upserts = items.filter((i) => i.idTokenInfo !== undefined).map((i) => entryOf(i as Parameters<typeof entryOf>[0]));
    ctx.store.db.transaction(() => {
      ctx.store.authorizations.remove(removed);
      ctx.store.authorizations.upsertMany(upserts, version);
    })();
  }
  ctx.save(KEY, next);
  const chargers = ctx.connected();
  setImmediate(() => distribute(ctx, next, chargers));
  return { status: 'Accepted' };
}

async function clearCache(ctx: BlockContext, signal: AbortSignal): Promise<object> {
  const cleared = ctx.store.authorizations.clearCache();
  ctx.log.info({ cleared }, 'CSMS cleared the hub authorization cache');
  const chargers = ctx.connected();
  const results = await callAll(ctx, chargers.map((charger) => ({ charger, action: 'ClearCache', payload: {} })), signal);
  return combineStatuses(results.map(statusOf), 'Accepted', 'Rejected');
}

export function authorizationBlock(): HubBlock {
  return {
    name: 'authorization',
    csms: {
      SendLocalList: (ctx, p) => sendLocalList(ctx, p),
      GetLocalListVersion: (ctx) => ({ versionNumber: Math.max(stored(ctx).version, ctx.store.authorizations.version()) }),
      ClearCache: (ctx, _p, signal) => clearCache(ctx, signal),
    },
    onBoot: (ctx, charger) => {
      const list = stored(ctx);
      if (list.version === 0) return;
      // A 1.6 charger reports its version in GetLocalListVersion; a 2.x one too: send when it differs.
      void ctx.callCharger(charger, 'GetLocalListVersion', {}).then((r) => {
        const theirs = isRecord(r) ? Number(charger.version === '1.6' ? r.listVersion : r.versionNumber) : NaN;
        if (theirs !== list.version) distribute(ctx, list, [charger]);
      });
    },
  };
}
