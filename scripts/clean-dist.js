// Build step before tsc: removes dist/ so that no compiled file of a deleted source is shipped.
import { rmSync } from 'node:fs';
import { URL, fileURLToPath } from 'node:url';

rmSync(fileURLToPath(new URL('../dist', import.meta.url)), { recursive: true, force: true });
