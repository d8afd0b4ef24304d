#!/usr/bin/env -S node --max-old-space-size=1536 --v8-pool-size=1
// The installed command: runs the compiled CLI. In a source checkout, `npm run build` makes dist/
// (`npm start` builds it when a source is newer).
// Node's old space is capped (the flag above, and the same in package.json's start script): V8
// then keeps its heap near what is live instead of up to four times it (README, "Memory"). For
// another cap run `node --max-old-space-size=<MiB> <this file> ...`. V8 gets one worker thread
// (--v8-pool-size=1): its collector's helpers then cannot crowd the hub's event loop off a small
// machine's cores during a full collection (README, "Memory").
import { existsSync } from 'node:fs';

const main = new URL('../dist/src/main.js', import.meta.url);
if (!existsSync(main)) {
  console.error('switchyard: dist/ is missing. In a source checkout run `npm run build` first, or `npm start -- ARGS`.');
  process.exit(2);
}
await import(main.href);
