/**
 * SetNetworkProfile (2.0.1 B09): the network profile is the hub's own (the hub holds the site's
 * one connection to the CSMS; the chargers' profiles point at the hub and are not the CSMS's to
 * change). The hub stores the profile in the slot (its database) and answers Accepted, as B09
 * defines; it is not used until NetworkConfigurationPriority names the slot. Rejected: a
 * transport other than JSON, an OCPP version other than the site link's, or a ws:// URL with
 * security profile 2 or 3.
 */
import type { BlockContext, HubBlock } from './block-types.js';
import { info, isRecord } from './targets.js';

const KEY = 'network-profiles';

function setNetworkProfile(ctx: BlockContext, p: Record<string, unknown>): object {
  const data = isRecord(p.connectionData) ? p.connectionData : {};
  if (data.ocppTransport !== 'JSON') return { status: 'Rejected', statusInfo: info('UnsupportedTransport', 'the hub speaks OCPP-J only') };
  const versions = ctx.upstreamVersion === '2.1' ? ['OCPP21', undefined] : ['OCPP20'];
  if (!versions.includes(data.ocppVersion as string | undefined)) return { status: 'Rejected', statusInfo: info('UnsupportedVersion', `the site link speaks OCPP ${ctx.upstreamVersion}`) };
  const url = typeof data.ocppCsmsUrl === 'string' ? data.ocppCsmsUrl : '';
  const securityProfile = Number(data.securityProfile);
  if (url.startsWith('ws://') && securityProfile > 1) return { status: 'Rejected', statusInfo: info('InvalidURL', 'security profile 2 and 3 need wss://') };
  const stored = ctx.load(KEY);
  const slots = isRecord(stored) ? stored : {};
  ctx.save(KEY, { ...slots, [String(p.configurationSlot)]: data });
  ctx.log.info({ configurationSlot: p.configurationSlot, url }, 'CSMS stored a network profile for the hub');
  return { status: 'Accepted' };
}

export function networkProfileBlock(): HubBlock {
  return { name: 'network-profile', csms: { SetNetworkProfile: (ctx, p) => setNetworkProfile(ctx, p) } };
}
