import { performance } from 'node:perf_hooks';
const N = 5000;
const m = new Map<string, any>();
const offers = new Map<string, any[]>();
for (let i = 0; i < N; i++) { const k = `S${i}/1`; m.set(k, { key: k, active: true, controllable: true, transactionId: 'tx' + i, transactionStartedMs: 1, measuredCurrentA: [6, 6, 6], samples: [{ timeMs: 1, currentA: [6, 6, 6] }] }); offers.set(k, [{ fromMs: 0, limitA: 6 }]); }
const keys = [...m.keys()];
function t(name: string, f: () => unknown) { const a: number[] = []; for (let i = 0; i < 40; i++) { const t0 = performance.now(); f(); a.push(performance.now() - t0); } a.sort((x, y) => x - y); console.log(name.padEnd(20), a[20]!.toFixed(2)); }
let rec: any;
t('fromEntries', () => { rec = Object.fromEntries(m); });
t('spread', () => ({ ...rec }));
t('loop offers', () => { const live = { ...rec }; for (const k of keys) { const o = [...offers.get(k)!]; if (o.length) live[k] = { ...live[k], offers: o }; } return live; });
t('loop noalloc', () => { const live: any = {}; for (const k of keys) { live[k] = m.get(k); } return live; });
