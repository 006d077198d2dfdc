// Go's time.Format with reference-time layouts ("Mon Jan 2 15:04:05 MST 2006"), in an IANA
// timezone. The chunk recognition follows Go's nextStdChunk, so a layout renders as it does in Go.
// Zone abbreviations come from Intl; where it knows none (it answers "GMT+1"), Go's numeric form
// ("+01", "+0530") is printed, as Go does for zones without an abbreviation.

export interface ZonedFields {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number; // 0 = Sunday
  yearDay: number; // 1-366
  /** Seconds east of UTC. */
  offset: number;
  abbreviation: string;
}

const longDays = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const longMonths = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string, locale: string): Intl.DateTimeFormat {
  const key = `${locale}|${timeZone}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      weekday: 'short',
      timeZoneName: 'short',
    });
    formatters.set(key, f);
  }
  return f;
}

/** Whether `name` is an IANA zone this runtime knows. */
export function isValidTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

function numericZone(offset: number): string {
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  const h = Math.floor(abs / 3600);
  const m = Math.floor((abs % 3600) / 60);
  return `${sign}${pad(h, 2)}${m ? pad(m, 2) : ''}`;
}

/** Calendar fields of a Unix time (whole seconds) in `timeZone`. */
export function zonedFields(unixSeconds: number, timeZone: string): ZonedFields {
  const date = new Date(unixSeconds * 1000);
  const parts = Object.fromEntries(formatter(timeZone, 'en-US').formatToParts(date).map((p) => [p.type, p.value]));
  const year = Number(parts.year);
  const month = Number(parts.month);
  const day = Number(parts.day);
  const hour = Number(parts.hour);
  const minute = Number(parts.minute);
  const second = Number(parts.second);
  const localAsUtc = Date.UTC(year, month - 1, day, hour, minute, second);
  const offset = Math.round((localAsUtc - Math.floor(unixSeconds) * 1000) / 1000);
  let abbreviation = parts.timeZoneName ?? '';
  if (/^GMT[+-]/.test(abbreviation)) {
    const gb = formatter(timeZone, 'en-GB').formatToParts(date).find((p) => p.type === 'timeZoneName')?.value ?? '';
    abbreviation = /^GMT[+-]/.test(gb) || !gb ? numericZone(offset) : gb;
  } else if (abbreviation === 'GMT' && timeZone !== 'GMT' && !/^(Europe\/(London|Dublin)|Etc\/GMT)/.test(timeZone)) {
    abbreviation = offset === 0 ? 'UTC' : numericZone(offset);
  }
  const yearDay = Math.round((Date.UTC(year, month - 1, day) - Date.UTC(year, 0, 1)) / 86400_000) + 1;
  const weekday = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
  return { year, month, day, hour, minute, second, weekday, yearDay, offset, abbreviation };
}

function pad(n: number, width: number, fill = '0'): string {
  const s = String(Math.abs(n));
  return (n < 0 ? '-' : '') + (s.length >= width ? s : fill.repeat(width - s.length) + s);
}

type Std =
  | 'January'
  | 'Jan'
  | '1'
  | '01'
  | 'Monday'
  | 'Mon'
  | '2'
  | '_2'
  | '02'
  | '__2'
  | '002'
  | '15'
  | '3'
  | '03'
  | '4'
  | '04'
  | '5'
  | '05'
  | '2006'
  | '06'
  | 'PM'
  | 'pm'
  | 'MST'
  | 'Z0700'
  | 'Z070000'
  | 'Z07'
  | 'Z07:00'
  | 'Z07:00:00'
  | '-0700'
  | '-070000'
  | '-07'
  | '-07:00'
  | '-07:00:00'
  | { frac: number; trim: boolean; sep: string };

const lowerAt = (s: string, i: number) => i < s.length && s[i] >= 'a' && s[i] <= 'z';
const isDigit = (s: string, i: number) => i < s.length && s[i] >= '0' && s[i] <= '9';

/** Go's nextStdChunk: the first std chunk at or after `from`, as [start, end, std]. */
function nextStdChunk(layout: string, from: number): [number, number, Std] | null {
  const at = (i: number, s: string) => layout.startsWith(s, i);
  for (let i = from; i < layout.length; i++) {
    const c = layout[i];
    switch (c) {
      case 'J':
        if (at(i, 'Jan')) {
          if (at(i, 'January')) return [i, i + 7, 'January'];
          if (!lowerAt(layout, i + 3)) return [i, i + 3, 'Jan'];
        }
        break;
      case 'M':
        if (at(i, 'Mon')) {
          if (at(i, 'Monday')) return [i, i + 6, 'Monday'];
          // "Month" is not a chunk in Go: "Mon" is only a weekday when not followed by a lower-case letter.
          if (!lowerAt(layout, i + 3)) return [i, i + 3, 'Mon'];
        }
        if (at(i, 'MST')) return [i, i + 3, 'MST'];
        break;
      case '0':
        if (i + 1 < layout.length && layout[i + 1] >= '1' && layout[i + 1] <= '6') {
          const std = ['01', '02', '03', '04', '05', '06'][Number(layout[i + 1]) - 1] as Std;
          return [i, i + 2, std];
        }
        if (at(i, '002')) return [i, i + 3, '002'];
        break;
      case '1':
        if (at(i, '15')) return [i, i + 2, '15'];
        return [i, i + 1, '1'];
      case '2':
        if (at(i, '2006')) return [i, i + 4, '2006'];
        return [i, i + 1, '2'];
      case '_':
        if (at(i, '_2')) {
          // _2006 is really a literal _, followed by a long year.
          if (at(i + 1, '2006')) return [i + 1, i + 5, '2006'];
          return [i, i + 2, '_2'];
        }
        if (at(i, '__2')) return [i, i + 3, '__2'];
        break;
      case '3':
        return [i, i + 1, '3'];
      case '4':
        return [i, i + 1, '4'];
      case '5':
        return [i, i + 1, '5'];
      case 'P':
        if (at(i, 'PM')) return [i, i + 2, 'PM'];
        break;
      case 'p':
        if (at(i, 'pm')) return [i, i + 2, 'pm'];
        break;
      case '-':
        for (const s of ['-07:00:00', '-070000', '-07:00', '-0700', '-07'] as const) if (at(i, s)) return [i, i + s.length, s];
        break;
      case 'Z':
        for (const s of ['Z07:00:00', 'Z070000', 'Z07:00', 'Z0700', 'Z07'] as const) if (at(i, s)) return [i, i + s.length, s];
        break;
      case '.':
      case ',':
        // .000 / .999 (and with a comma) after a seconds field: fractional seconds.
        if (i + 1 < layout.length && (layout[i + 1] === '0' || layout[i + 1] === '9')) {
          const ch = layout[i + 1];
          let j = i + 1;
          while (j < layout.length && layout[j] === ch) j++;
          if (!isDigit(layout, j)) return [i, j, { frac: j - (i + 1), trim: ch === '9', sep: c }];
        }
        break;
    }
  }
  return null;
}

function zone(offset: number, std: string): string {
  const z = std.startsWith('Z');
  if (z && offset === 0) return 'Z';
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  const h = pad(Math.floor(abs / 3600), 2);
  const m = pad(Math.floor((abs % 3600) / 60), 2);
  const s = pad(abs % 60, 2);
  const body = std.replace(/^[Z-]/, '');
  switch (body) {
    case '07':
      return sign + h;
    case '0700':
      return sign + h + m;
    case '07:00':
      return `${sign}${h}:${m}`;
    case '070000':
      return sign + h + m + s;
    default:
      return `${sign}${h}:${m}:${s}`;
  }
}

/**
 * Formats like Go's `time.Time.Format(layout)`. `nanos` is the fraction of the second (0-999999999)
 * for `.000`/`.999` chunks.
 */
export function goFormat(unixSeconds: number, nanos: number, timeZone: string, layout: string): string {
  const f = zonedFields(unixSeconds, timeZone);
  let out = '';
  let pos = 0;
  for (;;) {
    const chunk = nextStdChunk(layout, pos);
    if (!chunk) {
      out += layout.slice(pos);
      return out;
    }
    const [start, end, std] = chunk;
    out += layout.slice(pos, start);
    pos = end;
    if (typeof std === 'object') {
      const digits = String(nanos).padStart(9, '0').slice(0, std.frac);
      if (std.trim) {
        const trimmed = digits.replace(/0+$/, '');
        if (trimmed) out += std.sep + trimmed;
      } else out += std.sep + digits;
      continue;
    }
    switch (std) {
      case 'January':
        out += longMonths[f.month - 1];
        break;
      case 'Jan':
        out += longMonths[f.month - 1].slice(0, 3);
        break;
      case '1':
        out += f.month;
        break;
      case '01':
        out += pad(f.month, 2);
        break;
      case 'Monday':
        out += longDays[f.weekday];
        break;
      case 'Mon':
        out += longDays[f.weekday].slice(0, 3);
        break;
      case '2':
        out += f.day;
        break;
      case '_2':
        out += pad(f.day, 2, ' ');
        break;
      case '02':
        out += pad(f.day, 2);
        break;
      case '__2':
        out += pad(f.yearDay, 3, ' ');
        break;
      case '002':
        out += pad(f.yearDay, 3);
        break;
      case '15':
        out += pad(f.hour, 2);
        break;
      case '3':
        out += f.hour % 12 === 0 ? 12 : f.hour % 12;
        break;
      case '03':
        out += pad(f.hour % 12 === 0 ? 12 : f.hour % 12, 2);
        break;
      case '4':
        out += f.minute;
        break;
      case '04':
        out += pad(f.minute, 2);
        break;
      case '5':
        out += f.second;
        break;
      case '05':
        out += pad(f.second, 2);
        break;
      case '2006':
        out += pad(f.year, 4);
        break;
      case '06':
        out += pad(f.year % 100, 2);
        break;
      case 'PM':
        out += f.hour >= 12 ? 'PM' : 'AM';
        break;
      case 'pm':
        out += f.hour >= 12 ? 'pm' : 'am';
        break;
      case 'MST':
        out += f.abbreviation;
        break;
      default:
        out += zone(f.offset, std);
    }
  }
}
