/** The machine a run happened on, and how busy it was: printed with every run. */
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';

export function machineLine(): string {
  const model = cpus()[0]?.model.trim() ?? 'unknown CPU';
  const ramGiB = totalmem() / 1024 ** 3;
  return `${availableParallelism()} CPUs (${model}), ${ramGiB.toFixed(1)} GiB RAM, Node ${process.version}, ${process.platform}/${process.arch}`;
}

/** The 1, 5 and 15 minute load averages. */
export function loadLine(): string {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ');
}
