/**
 * Certificates (2.0.1 A, M).
 *
 * The hub's own store (kept in the hub's database) holds what the CSMS installs on "the
 * station": InstallCertificate stores it there; V2G, MO and manufacturer roots also go to every
 * connected 2.x charger, which needs them for ISO 15118 and firmware checks (a 1.6 charger has
 * no certificate store). A CSMS root is the hub's alone (it is the hub that connects to the
 * CSMS). GetInstalledCertificateIds lists the hub's and the 2.x chargers' certificates (each
 * once); DeleteCertificate removes one wherever it is.
 *
 * ISO 15118 and certificate calls of 2.x chargers (SignCertificate, Get15118EVCertificate,
 * GetCertificateStatus) go to the CSMS at once and its answer back to that charger; when the
 * CSMS cannot be reached the charger gets Rejected / Failed. The CSMS's CertificateSigned goes
 * to the charger whose SignCertificate (of that certificate type) was accepted first and not
 * yet answered; with none, Rejected (the hub asked for no certificate itself).
 */
import type { BlockContext, ChargerCall, ChargerRef, HubBlock } from './block-types.js';
import { callAll, info, is2x, isRecord, statusOf } from './targets.js';
import { certificateHashData, sameHash, type CertificateHashData } from './cert-hash.js';

interface StoredCert {
  certificateType: string;
  pem: string;
  hash: CertificateHashData;
}

interface PendingSign {
  stationId: string;
  certificateType: string;
}

const KEY = 'certificates';
const TO_CHARGERS = new Set(['V2GRootCertificate', 'MORootCertificate', 'ManufacturerRootCertificate']);

const FALLBACK: Record<string, object> = {
  SignCertificate: { status: 'Rejected', statusInfo: info('NoCsms', 'the CSMS cannot be reached') },
  Get15118EVCertificate: { status: 'Failed', statusInfo: info('NoCsms', 'the CSMS cannot be reached'), exiResponse: '' },
  GetCertificateStatus: { status: 'Failed', statusInfo: info('NoCsms', 'the CSMS cannot be reached') },
};

export function certificatesBlock(ctx: BlockContext): HubBlock {
  const loaded = ctx.load(KEY);
  let certs: StoredCert[] = Array.isArray(loaded) ? (loaded as StoredCert[]) : [];
  let pending: PendingSign[] = [];
  const save = (): void => ctx.save(KEY, certs);
  const chargers2x = (): ChargerRef[] => ctx.connected().filter(is2x);

  const install = async (p: Record<string, unknown>, signal: AbortSignal): Promise<object> => {
    const certificateType = String(p.certificateType);
    const pem = String(p.certificate);
    let hash: CertificateHashData;
    try {
      hash = certificateHashData(pem, certs.map((c) => c.pem));
    } catch {
      return { status: 'Rejected', statusInfo: info('InvalidCertificate', 'not a PEM X.509 certificate') };
    }
    const targets = TO_CHARGERS.has(certificateType) ? chargers2x() : [];
    const results = await callAll(ctx, targets.map((charger) => ({ charger, action: 'InstallCertificate', payload: { certificateType, certificate: pem } })), signal);
    certs = [...certs.filter((c) => !sameHash(c.hash, hash)), { certificateType, pem, hash }];
    save();
    const refused = results.filter((r) => statusOf(r) !== 'Accepted').length;
    if (refused > 0) return { status: 'Failed', statusInfo: info('Refused', `${refused} of ${targets.length} chargers did not install it`) };
    return { status: 'Accepted' };
  };

  const installedIds = async (p: Record<string, unknown>, signal: AbortSignal): Promise<object> => {
    const types = Array.isArray(p.certificateType) ? (p.certificateType as string[]) : undefined;
    const chain: { certificateType: string; certificateHashData: CertificateHashData; childCertificateHashData?: unknown[] }[] = certs
      .filter((c) => !types || types.includes(c.certificateType))
      .map((c) => ({ certificateType: c.certificateType, certificateHashData: c.hash }));
    const results = await callAll(ctx, chargers2x().map((charger) => ({ charger, action: 'GetInstalledCertificateIds', payload: p })), signal);
    for (const r of results) {
      if (!r || !Array.isArray(r.certificateHashDataChain)) continue;
      for (const item of r.certificateHashDataChain) {
        if (!isRecord(item) || !isRecord(item.certificateHashData)) continue;
        const hash = item.certificateHashData as unknown as CertificateHashData;
        if (chain.some((c) => sameHash(c.certificateHashData, hash))) continue;
        chain.push(item as (typeof chain)[number]);
      }
    }
    return chain.length > 0 ? { status: 'Accepted', certificateHashDataChain: chain } : { status: 'NotFound' };
  };

  const remove = async (p: Record<string, unknown>, signal: AbortSignal): Promise<object> => {
    const want = p.certificateHashData;
    const mine = certs.filter((c) => sameHash(want, c.hash));
    if (mine.length > 0) {
      certs = certs.filter((c) => !sameHash(want, c.hash));
      save();
    }
    const statuses = (await callAll(ctx, chargers2x().map((charger) => ({ charger, action: 'DeleteCertificate', payload: p })), signal)).map(statusOf);
    if (statuses.includes('Failed')) return { status: 'Failed', statusInfo: info('Refused', 'a charger could not delete it') };
    return { status: mine.length > 0 || statuses.includes('Accepted') ? 'Accepted' : 'NotFound' };
  };

  const signed = async (p: Record<string, unknown>, signal: AbortSignal): Promise<object> => {
    const certificateType = typeof p.certificateType === 'string' ? p.certificateType : 'ChargingStationCertificate';
    const i = pending.findIndex((s) => s.certificateType === certificateType);
    const target = pending[i];
    if (!target) return { status: 'Rejected', statusInfo: info('NotRequested', 'no charger asked for a certificate of this type') };
    pending = pending.filter((_, k) => k !== i);
    const version = ctx.versionOf(target.stationId);
    if (!version) return { status: 'Rejected', statusInfo: info('Unspecified', 'charger not connected') };
    const status = statusOf(await ctx.callCharger({ stationId: target.stationId, version }, 'CertificateSigned', p, signal));
    return status === 'Accepted' ? { status } : { status: 'Rejected', ...(status ? {} : { statusInfo: info('Unspecified', 'charger did not answer') }) };
  };

  const passUp = (action: string) => async (c: BlockContext, call: ChargerCall): Promise<object> => {
    try {
      const answer = await c.callCsms(action, call.payload);
      if (action === 'SignCertificate' && statusOf(answer) === 'Accepted') {
        pending = [...pending, { stationId: call.stationId, certificateType: typeof call.payload.certificateType === 'string' ? call.payload.certificateType : 'ChargingStationCertificate' }];
      }
      return isRecord(answer) ? answer : (FALLBACK[action] ?? {});
    } catch (err) {
      c.log.info({ stationId: call.stationId, action, err: err instanceof Error ? err.message : String(err) }, 'CSMS gave no answer to a certificate call');
      return FALLBACK[action] ?? {};
    }
  };

  return {
    name: 'certificates',
    csms: {
      InstallCertificate: (_c, p, signal) => install(p, signal),
      GetInstalledCertificateIds: (_c, p, signal) => installedIds(p, signal),
      DeleteCertificate: (_c, p, signal) => remove(p, signal),
      CertificateSigned: (_c, p, signal) => signed(p, signal),
    },
    charger: {
      SignCertificate: passUp('SignCertificate'),
      Get15118EVCertificate: passUp('Get15118EVCertificate'),
      GetCertificateStatus: passUp('GetCertificateStatus'),
    },
  };
}
