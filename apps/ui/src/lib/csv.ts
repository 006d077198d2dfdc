// CSV export of chart data: RFC 4180 quoting, ISO times next to the raw Unix seconds so the file
// opens readable in a spreadsheet and still joins exactly with other exports.

export interface CsvPoint {
  timestamp: number;
  topic: string;
  value: number;
  msg?: string;
}

function cell(value: string | number): string {
  const text = String(value);
  // A leading = + - @ would run as a formula in spreadsheets; quote and prefix it.
  const guarded = /^[=+\-@]/.test(text) && typeof value === 'string' ? `'${text}` : text;
  return /[",\r\n]/.test(guarded) || guarded !== text ? `"${guarded.replace(/"/g, '""')}"` : guarded;
}

export function toCsv(points: CsvPoint[]): string {
  const lines = ['time,timestamp,topic,value,msg'];
  for (const p of points) {
    lines.push([new Date(p.timestamp * 1000).toISOString(), p.timestamp, p.topic, p.value, p.msg ?? ''].map(cell).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** File name of an export: topic-safe, with the range in it. */
export function csvFileName(name: string, from: number, to: number): string {
  const day = (s: number) => new Date(s * 1000).toISOString().slice(0, 16).replace(/[:T]/g, '-');
  return `${name.replace(/[^\w.-]+/g, '_')}_${day(from)}_${day(to)}.csv`;
}

/** Hands the text to the browser as a download. */
export function downloadText(fileName: string, text: string, type = 'text/csv;charset=utf-8'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
