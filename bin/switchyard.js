#!/usr/bin/env node
// The installed command: runs the compiled CLI. In a source checkout, `npm run build` makes dist/
// (or run the sources directly with `npm start -- ARGS`).
import { existsSync } from 'node:fs';

const main = new URL('../dist/src/main.js', import.meta.url);
if (!existsSync(main)) {
  console.error('switchyard: dist/ is missing. In a source checkout run `npm run build` first, or `npm start -- ARGS`.');
  process.exit(2);
}
await import(main.href);
