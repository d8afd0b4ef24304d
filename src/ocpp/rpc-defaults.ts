import type { RpcPeerOptions } from './rpc-types.js';
import type { OcppVersion } from './versions.js';

/** Defaults of every RPC peer option except the version. */
export const DEFAULT_RPC_OPTIONS: Readonly<Omit<RpcPeerOptions, 'version'>> = {
  callTimeoutMs: 30_000,
  maxFrameBytes: 65_536,
  strict: true,
};

/** Full peer options for a version, defaults overridden by what is given. */
export function rpcOptions(version: OcppVersion, overrides: Partial<Omit<RpcPeerOptions, 'version'>> = {}): RpcPeerOptions {
  return { ...DEFAULT_RPC_OPTIONS, ...overrides, version };
}
