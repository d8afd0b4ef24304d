/**
 * CSV as RFC 4180 has it: fields separated by commas, records by CRLF; a field with a comma,
 * a double quote, CR or LF is enclosed in double quotes, with its quotes doubled. A field that
 * starts with =, +, - or @ (and is not a number) gets a leading apostrophe, so a spreadsheet
 * opening the file does not run it as a formula (a charger names its own id tokens).
 */
export type CsvValue = string | number | undefined | null;

export function csvField(value: CsvValue): string {
  if (value === undefined || value === null) return '';
  let text = typeof value === 'number' ? (Number.isFinite(value) ? String(value) : '') : value;
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text) && !/^[+-]?\d+(\.\d+)?$/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A header row and the records, each line ended by CRLF. */
export function toCsv(header: readonly string[], records: ReadonlyArray<readonly CsvValue[]>): string {
  return [header, ...records].map((r) => r.map(csvField).join(',') + '\r\n').join('');
}
