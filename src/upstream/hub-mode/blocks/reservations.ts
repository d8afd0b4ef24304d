/**
 * Reservations (2.0.1 H): ReserveNow goes to the charger of the EVSE (1.6: ReserveNow with
 * connectorId = its connector, reservationId = the CSMS's id, idTag from idToken); without an
 * evseId the hub picks the first EVSE that is Available and free, so the reservation holds one
 * real EVSE. CancelReservation goes to the charger that holds the reservation.
 *
 * ReservationStatusUpdate: a 2.x charger's is passed up; a 1.6 charger has none, so the hub
 * sends Expired itself when the expiry time passes without the reservation being used (a 1.6
 * StartTransaction naming the reservationId uses it) or cancelled. Reservations are kept in the
 * hub's store, so a restart does not forget them.
 */
import { connectorKey, openTransactionOn } from '../hub-state.js';
import { idTagOf2x } from '../id-tokens.js';
import type { IdToken2x } from '../wire-2x.js';
import type { TimerHandle } from '../../../util/clock.js';
import type { BlockContext, ChargerRef, HubBlock } from './block-types.js';
import { evseTarget, info, isRecord, statusOf, type EvseTarget } from './targets.js';

interface HeldReservation {
  id: number;
  stationId: string;
  version: ChargerRef['version'];
  evseId: number;
  upstreamEvseId: number;
  expiryMs: number;
}

const KEY = 'reservations';
const STATUSES = ['Accepted', 'Faulted', 'Occupied', 'Rejected', 'Unavailable'];

export function reservationsBlock(ctx: BlockContext): HubBlock {
  const loaded = ctx.load(KEY);
  let held: HeldReservation[] = Array.isArray(loaded) ? (loaded as HeldReservation[]) : [];
  const timers = new Map<number, TimerHandle>();

  const save = (): void => ctx.save(KEY, held);
  const drop = (id: number): HeldReservation | undefined => {
    const r = held.find((h) => h.id === id);
    held = held.filter((h) => h.id !== id);
    ctx.clock.clearTimeout(timers.get(id));
    timers.delete(id);
    save();
    return r;
  };
  const arm = (r: HeldReservation): void => {
    if (r.version !== '1.6') return;
    ctx.clock.clearTimeout(timers.get(r.id));
    timers.set(
      r.id,
      ctx.clock.setTimeout(() => {
        if (!drop(r.id)) return;
        ctx.log.info({ reservationId: r.id, stationId: r.stationId }, '1.6 reservation expired unused');
        ctx.notify('ReservationStatusUpdate', { reservationId: r.id, reservationUpdateStatus: 'Expired' });
      }, Math.max(0, r.expiryMs - ctx.clock.nowMs())),
    );
  };
  for (const r of held) arm(r);

  const firstFree = (): EvseTarget | undefined => {
    const state = ctx.state();
    const entries = [...state.mapping.entries].sort((a, b) => a.upstreamEvseId - b.upstreamEvseId);
    for (const e of entries) {
      if (state.connectors[connectorKey(e.stationId, e.evseId, e.connectorId)]?.status !== 'Available') continue;
      if (openTransactionOn(state, e.stationId, e.evseId) || held.some((h) => h.stationId === e.stationId && h.evseId === e.evseId)) continue;
      const t = evseTarget(ctx, e.upstreamEvseId);
      if (t?.charger) return t;
    }
    return undefined;
  };

  const reserveNow = async (p: Record<string, unknown>, signal: AbortSignal): Promise<object> => {
    const id = Number(p.id);
    const target = typeof p.evseId === 'number' && p.evseId > 0 ? evseTarget(ctx, p.evseId) : firstFree();
    if (!target) return typeof p.evseId === 'number' && p.evseId > 0 ? { status: 'Rejected', statusInfo: info('UnknownEvse') } : { status: 'Occupied', statusInfo: info('NoFreeEvse', 'no EVSE is Available') };
    const charger = target.charger;
    if (!charger) return { status: 'Unavailable', statusInfo: info('Unspecified', 'charger not connected') };
    const idToken = p.idToken as IdToken2x;
    let payload: object;
    if (charger.version === '1.6') {
      const idTag = idTagOf2x(idToken);
      if (idTag === undefined) return { status: 'Rejected', statusInfo: info('InvalidIdToken', 'longer than a 1.6 idTag (20)') };
      const parent = isRecord(p.groupIdToken) ? idTagOf2x(p.groupIdToken as unknown as IdToken2x) : undefined;
      payload = { connectorId: target.entry.evseId, expiryDate: p.expiryDateTime, idTag, reservationId: id, ...(parent !== undefined ? { parentIdTag: parent } : {}) };
    } else {
      payload = { ...p, evseId: target.entry.evseId };
    }
    const r = await ctx.callCharger(charger, 'ReserveNow', payload, signal);
    const status = statusOf(r);
    if (status === 'Accepted') {
      drop(id);
      const reservation: HeldReservation = { id, stationId: charger.stationId, version: charger.version, evseId: target.entry.evseId, upstreamEvseId: target.entry.upstreamEvseId, expiryMs: Date.parse(String(p.expiryDateTime)) };
      held = [...held, reservation];
      save();
      arm(reservation);
    }
    if (status && STATUSES.includes(status)) return { status };
    return { status: 'Rejected', statusInfo: info(status ? 'UnsupportedRequest' : 'Unspecified', status ? `charger answered ${status}` : 'charger did not answer') };
  };

  const cancelReservation = async (p: Record<string, unknown>, signal: AbortSignal): Promise<object> => {
    const id = Number(p.reservationId);
    const r = held.find((h) => h.id === id);
    if (!r) return { status: 'Rejected', statusInfo: info('UnknownReservation') };
    const version = ctx.versionOf(r.stationId);
    if (!version) return { status: 'Rejected', statusInfo: info('Unspecified', 'charger not connected') };
    const status = statusOf(await ctx.callCharger({ stationId: r.stationId, version }, 'CancelReservation', { reservationId: id }, signal));
    if (status === 'Accepted') drop(id);
    return status === 'Accepted' ? { status } : { status: 'Rejected', ...(status ? {} : { statusInfo: info('Unspecified', 'charger did not answer') }) };
  };

  return {
    name: 'reservations',
    csms: {
      ReserveNow: (_c, p, signal) => reserveNow(p, signal),
      CancelReservation: (_c, p, signal) => cancelReservation(p, signal),
    },
    charger: {
      ReservationStatusUpdate: (c, call) => {
        const id = Number(call.payload.reservationId);
        if (held.some((h) => h.id === id && h.stationId === call.stationId)) drop(id);
        c.notify('ReservationStatusUpdate', { reservationId: id, reservationUpdateStatus: call.payload.reservationUpdateStatus });
        return {};
      },
    },
    observe: {
      StartTransaction: (_c, call) => {
        if (typeof call.payload.reservationId === 'number' && held.some((h) => h.id === call.payload.reservationId && h.stationId === call.stationId)) drop(call.payload.reservationId);
      },
      TransactionEvent: (_c, call) => {
        if (typeof call.payload.reservationId === 'number' && held.some((h) => h.id === call.payload.reservationId && h.stationId === call.stationId)) drop(call.payload.reservationId);
      },
    },
    stop: () => {
      for (const t of timers.values()) ctx.clock.clearTimeout(t);
      timers.clear();
    },
  };
}
