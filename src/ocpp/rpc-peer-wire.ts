import type { RawData } from 'ws';
import { RpcError } from './errors.js';

/** Small helpers of RpcPeer (rpc-peer.ts) for socket data and errors. */

/** The error's name for logs and metrics: an RpcError's code, else the Error's name. */
export function errorName(err: unknown): string {
  if (err instanceof RpcError) return err.code;
  return err instanceof Error ? err.name : 'Error';
}

export function byteLength(data: RawData): number {
  if (Array.isArray(data)) return data.reduce((n, b) => n + b.length, 0);
  return data.byteLength;
}

/** Frame text, or only its first `maxBytes` bytes. */
export function toText(data: RawData, maxBytes?: number): string {
  const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
  return (maxBytes === undefined ? buf : buf.subarray(0, maxBytes)).toString('utf8');
}

export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
