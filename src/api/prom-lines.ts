/**
 * Prometheus text as prom-client 15 writes it (registry.js, util.js): the same escaping and number
 * format, so that kept lines written here read byte for byte like the registry's own
 * (test/unit/api/prom-lines.test.ts compares them with prom-client's output).
 */

/** A label value inside its quotes: backslash, newline and double quote escaped. */
export function escapeLabelValue(value: string): string {
  return escapeHelp(value).replace(/"/g, '\\"');
}

/** A HELP text or metric name: backslash and newline escaped. */
export function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** A sample value: `Nan`, `+Inf`, `-Inf` (prom-client's spelling), else JavaScript's number text. */
export function promValue(value: number): string {
  if (Number.isNaN(value)) return 'Nan';
  if (!Number.isFinite(value)) return value < 0 ? '-Inf' : '+Inf';
  return `${value}`;
}

/** The `# HELP` and `# TYPE` lines of a family. */
export function familyHeader(name: string, help: string, type: string): string {
  const escaped = escapeHelp(name);
  return `# HELP ${escaped} ${escapeHelp(help)}\n# TYPE ${escaped} ${type}`;
}

/** A sample line up to its value: `name{label="value",...} `, labels in the order given. */
export function sampleHead(name: string, labels: ReadonlyArray<readonly [string, string]>): string {
  const parts = labels.map(([label, v]) => `${label}="${escapeLabelValue(v)}"`);
  return `${name}${parts.length ? `{${parts.join(',')}}` : ''} `;
}
