/**
 * Calendar days in a time zone: which day a moment falls on, and when a day starts. UTC
 * unless an IANA zone is given; zones with daylight saving are handled by asking the
 * runtime's time zone data for the offset at the moment in question.
 */

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
export const DAY_MS = 24 * 60 * 60 * 1000;

/** The UTC midnight of a `YYYY-MM-DD` date, or null when it is not a real date. */
export function parseDate(date: string): number | null {
  const match = DATE_PATTERN.exec(date);
  if (match === null) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const utc = Date.UTC(year, month - 1, day);
  const back = new Date(utc);
  if (back.getUTCFullYear() !== year || back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day) return null;
  return utc;
}

/** Whether the runtime knows this IANA zone. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export type Calendar = {
  /** The `YYYY-MM-DD` day a moment falls on. */
  dateOf(ms: number): string;
  /** When the day whose UTC midnight is `utcMidnight` starts in this zone. */
  startOf(utcMidnight: number): number;
};

const UTC_CALENDAR: Calendar = {
  dateOf: (ms) => new Date(ms).toISOString().slice(0, 10),
  startOf: (utcMidnight) => utcMidnight,
};

export function calendarFor(zone: string | undefined): Calendar {
  if (zone === undefined || zone === 'UTC' || zone === 'Etc/UTC') return UTC_CALENDAR;
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  const wallClock = (ms: number): { y: number; m: number; d: number; utc: number } => {
    const parts: Record<string, number> = {};
    for (const part of format.formatToParts(ms)) if (part.type !== 'literal') parts[part.type] = Number(part.value);
    const [y, m, d] = [parts.year ?? 1970, parts.month ?? 1, parts.day ?? 1];
    return { y, m, d, utc: Date.UTC(y, m - 1, d, parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0) };
  };
  const offsetAt = (ms: number): number => wallClock(ms).utc - Math.floor(ms / 1000) * 1000;
  const pad = (n: number): string => String(n).padStart(2, '0');
  return {
    dateOf(ms) {
      const { y, m, d } = wallClock(ms);
      return `${y}-${pad(m)}-${pad(d)}`;
    },
    startOf(utcMidnight) {
      const guess = utcMidnight - offsetAt(utcMidnight);
      return utcMidnight - offsetAt(guess);
    },
  };
}

/** The median of some numbers (the mean of the middle two for an even count); null for none. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] ?? 0;
  return sorted.length % 2 === 1 ? upper : ((sorted[middle - 1] ?? 0) + upper) / 2;
}

/** A median of millisecond durations, in whole seconds (rounded); null for none. */
export function medianSeconds(durationsMs: readonly number[]): number | null {
  const value = median(durationsMs);
  return value === null ? null : Math.round(value / 1000);
}
