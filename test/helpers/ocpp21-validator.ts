import { createRequire } from 'node:module';
import { createValidator } from 'ocpp-rpc';

const require = createRequire(import.meta.url);

interface SchemaDoc {
  $id: string;
  [k: string]: unknown;
}

/**
 * ocpp-rpc 2.2 ships the official OCPP 2.1 schemas with ids `urn:<Action>Request/Response`, but
 * its strict mode looks them up as `urn:<Action>.req/.conf`, so a strict 2.1 client cannot validate
 * anything. This builds a strict-mode validator for ocpp2.1 from the same official schemas, with
 * the ids renamed to what ocpp-rpc looks up. The schemas themselves are untouched.
 */
export function ocpp21Validator(): ReturnType<typeof createValidator> {
  const schemas = require('ocpp-rpc/lib/schemas/ocpp2_1.json') as SchemaDoc[];
  const renamed = schemas.map((s) => ({
    ...s,
    $id: s.$id.replace(/Request$/, '.req').replace(/Response$/, '.conf'),
  }));
  return createValidator('ocpp2.1', renamed);
}
