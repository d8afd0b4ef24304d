import { startHubTarget } from '../bench/scale-target.js';
import { rssKiB } from '../bench/proc-stats.js';
const n = Number(process.env.N ?? 1000);
const t = await startHubTarget(n);
await new Promise((r) => setTimeout(r, 3000));
const rss = rssKiB(t.proc.pid);
const heap = await t.heapMiB!();
console.log(JSON.stringify({ runtime: process.env.BENCH_HUB_RUNTIME ?? 'compiled', n, startS: t.startS.toFixed(2), rssMiB: (rss / 1024).toFixed(1), heap }));
await t.stop();
