/** CSV as RFC 4180 has it: CRLF line ends, fields quoted when they hold a comma, quote or line break. */

export type CsvValue = string | number | null;

export function csvField(value: CsvValue): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function toCsv(header: readonly string[], rows: readonly (readonly CsvValue[])[]): string {
  return [header, ...rows].map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}

/**
 * A name typed by a person, made safe to open in a spreadsheet: text that starts like a
 * formula (=, +, -, @, a tab or a carriage return) is prefixed with an apostrophe, so it
 * is shown rather than run.
 */
export function spreadsheetText(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}
