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

/**
 * Largest WebSocket message a connection buffers, for a peer whose frame limit is
 * `maxFrameBytes`. Frames between the two are read only to answer them with a CALLERROR
 * carrying their message id (OCPP wants an answer to every CALL); larger ones are cut off by
 * the WebSocket layer (close 1009) because reading them would cost the memory the limit protects.
 */
export function wsMaxPayloadBytes(maxFrameBytes: number): number {
  return maxFrameBytes * 16;
}
