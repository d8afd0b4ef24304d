/**
 * Strict-mode validators for ocpp-rpc. Its bundled OCPP 2.1 schemas are named
 * `urn:<Action>Request` / `urn:<Action>Response`, but it looks them up as `urn:<Action>.req` /
 * `.conf` (the 1.6 and 2.0.1 naming), so strict mode fails every 2.1 call with "Schema ... is
 * missing". This validator re-registers the 2.1 schemas under the names it looks for. Pass the
 * result as `strictModeValidators` to an RPCClient or RPCServer. It also drops
 * `additionalProperties` from non-object definitions (enums), which Ajv warns about.
 */
import { createRequire } from 'node:module';
import ocppRpc from 'ocpp-rpc';

type Validator = ReturnType<typeof ocppRpc.createValidator>;

interface SchemaWithId {
  $id?: string;
  [key: string]: unknown;
}

let cached: Validator[] | undefined;

export function strictModeValidators(): Validator[] {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const schemas: SchemaWithId[] = require('ocpp-rpc/lib/schemas/ocpp2_1.json');
  const renamed = schemas.map((s) => ({ ...tidy(s), $id: renameId(s.$id) }));
  cached = [ocppRpc.createValidator('ocpp2.1', renamed)];
  return cached;
}

function renameId(id: string | undefined): string | undefined {
  if (id === undefined) return undefined;
  if (id.endsWith('Request')) return `${id.slice(0, -'Request'.length)}.req`;
  if (id.endsWith('Response')) return `${id.slice(0, -'Response'.length)}.conf`;
  return id;
}

/** A copy without `additionalProperties` where the node is not an object schema. */
function tidy(node: SchemaWithId): SchemaWithId {
  const out: SchemaWithId = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'additionalProperties' && node['type'] !== 'object') continue;
    out[k] = isPlainObject(v) ? tidy(v) : Array.isArray(v) ? v.map((x: unknown) => (isPlainObject(x) ? tidy(x) : x)) : v;
  }
  return out;
}

function isPlainObject(v: unknown): v is SchemaWithId {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
