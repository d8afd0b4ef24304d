/**
 * Runs the benchmarks: all of them in sequence, or the ones named on the command line
 * (`npm run bench -- scale`). Prints progress, then one summary table in Markdown. Writes no
 * files. To add a benchmark, add a file that exports `benchmark: Benchmark` and list it here.
 */
import type { Benchmark, BenchResult, BenchRow } from './bench-types.js';
import { ratioOf } from './bench-types.js';
import { loadLine, machineLine } from './machine.js';

const BENCHMARKS: ReadonlyArray<{ name: string; load: () => Promise<{ benchmark: Benchmark }> }> = [
  { name: 'scale', load: () => import('./scale.js') },
  { name: 'decide-scale', load: () => import('./decide-scale.js') },
  { name: 'api-site', load: () => import('./api-site.js') },
  { name: 'composite', load: () => import('./composite.js') },
  { name: 'proxy-latency', load: () => import('./proxy-latency.js') },
  { name: 'csms-composite', load: () => import('./csms-composite.js') },
  { name: 'w4', load: () => import('./w4-control-quality.js') },
  { name: 'w4-timing', load: () => import('./w4-timing.js') },
  { name: 'control-loop', load: () => import('./w3-control-loop.js') },
  { name: 'w1', load: () => import('./w1-data-budget.js') },
  { name: 'login-flood', load: () => import('./login-flood.js') },
  { name: 'firmware', load: () => import('./firmware-rollout.js') },
  { name: 'db-retention', load: () => import('./db-retention.js') },
  { name: 'outbox', load: () => import('./outbox-compaction.js') },
  { name: 'outbox-head', load: () => import('./outbox-head.js') },
  { name: 'pipeline-flood', load: () => import('./pipeline-flood.js') },
  { name: 'power-history', load: () => import('./power-history.js') },
  { name: 'power-history-commit', load: () => import('./power-history-commit.js') },
  { name: 'soak', load: () => import('./soak.js') },
  { name: 'write-path', load: () => import('./write-path.js') },
  { name: 'live-heap', load: () => import('./live-heap.js') },
];

interface Done {
  benchmark: Benchmark;
  result?: BenchResult;
  error?: string;
  seconds: number;
  loadBefore: string;
  loadAfter: string;
}

function fmt(value: number, digits: number): string {
  if (!Number.isFinite(value)) return String(value);
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function tableRow(name: string, row: BenchRow): string {
  const digits = row.digits ?? 1;
  const ratio = ratioOf(row);
  const baseline = row.baseline ? `${fmt(row.baseline.value, digits)} ${row.unit} (${row.baseline.label})` : '';
  return `| ${name} | ${row.metric} | ${fmt(row.value, digits)} ${row.unit} | ${baseline} | ${ratio === undefined ? '' : `${fmt(ratio, 2)}x`} |`;
}

function printSummary(done: readonly Done[]): void {
  console.log('\n## Summary\n');
  console.log(`Machine: ${machineLine()}`);
  console.log(`Date: ${new Date().toISOString()}\n`);
  console.log('| benchmark | metric | value | baseline (same run) | ratio |');
  console.log('|---|---|---|---|---|');
  for (const d of done) {
    const name = `${d.benchmark.name} (${d.benchmark.workload})`;
    if (d.error) console.log(`| ${name} | FAILED: ${d.error.replace(/\|/g, '/')} | | | |`);
    for (const row of d.result?.rows ?? []) console.log(tableRow(name, row));
  }
  for (const d of done) {
    console.log(`\n${d.benchmark.name}: ${d.seconds.toFixed(1)} s; load average (1/5/15 min) before ${d.loadBefore}, after ${d.loadAfter}`);
    for (const note of d.result?.notes ?? []) console.log(`- ${note}`);
  }
}

async function main(): Promise<number> {
  const asked = process.argv.slice(2).filter((a) => a !== '--');
  const unknown = asked.filter((a) => !BENCHMARKS.some((b) => b.name === a));
  if (unknown.length > 0) {
    console.error(`unknown benchmark(s): ${unknown.join(', ')}; known: ${BENCHMARKS.map((b) => b.name).join(', ')}`);
    return 2;
  }
  const selected = asked.length === 0 ? BENCHMARKS : BENCHMARKS.filter((b) => asked.includes(b.name));
  console.log(`Machine: ${machineLine()}`);
  const done: Done[] = [];
  for (const entry of selected) {
    const { benchmark } = await entry.load();
    console.log(`\n# ${benchmark.name} (${benchmark.workload}): ${benchmark.title}`);
    const loadBefore = loadLine();
    const t0 = performance.now();
    const progress = (line: string) => console.log(`  ${((performance.now() - t0) / 1000).toFixed(1).padStart(6)} s  ${line}`);
    try {
      const result = await benchmark.run(progress);
      done.push({ benchmark, result, seconds: (performance.now() - t0) / 1000, loadBefore, loadAfter: loadLine() });
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      console.error(`${benchmark.name} failed: ${error}`);
      done.push({ benchmark, error, seconds: (performance.now() - t0) / 1000, loadBefore, loadAfter: loadLine() });
    }
  }
  printSummary(done);
  return done.some((d) => d.error) ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
