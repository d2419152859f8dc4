/**
 * When a snoozed conversation comes back, in the agent's own clock: the presets the snooze
 * menu offers, computed from a given "now" so they can be tested without waiting.
 */

export type SnoozePresetId = 'laterToday' | 'thisEvening' | 'tomorrow' | 'nextWeek';

export type SnoozePreset = { id: SnoozePresetId; until: number };

const HOUR = 3_600_000;

function at(day: Date, hours: number, minutes = 0): Date {
  const moment = new Date(day);
  moment.setHours(hours, minutes, 0, 0);
  return moment;
}

function addDays(day: Date, days: number): Date {
  // By the calendar, not by 24 hours: a change of summer time keeps 09:00 at 09:00.
  const moment = new Date(day);
  moment.setDate(moment.getDate() + days);
  return moment;
}

/**
 * - later today: in three hours (rounded up to the next quarter hour), if still today;
 * - this evening: today at 18:00, while before 17:00;
 * - tomorrow: tomorrow at 09:00;
 * - next week: next Monday at 09:00 (a week later on a Monday).
 */
export function snoozePresets(now: Date): SnoozePreset[] {
  const presets: SnoozePreset[] = [];
  const later = new Date(now.getTime() + 3 * HOUR);
  later.setSeconds(0, 0);
  const quarter = later.getMinutes() % 15;
  if (quarter !== 0) later.setMinutes(later.getMinutes() + 15 - quarter);
  if (later.toDateString() === now.toDateString()) presets.push({ id: 'laterToday', until: later.getTime() });
  const evening = at(now, 18);
  if (evening.getTime() - now.getTime() >= HOUR) presets.push({ id: 'thisEvening', until: evening.getTime() });
  presets.push({ id: 'tomorrow', until: at(addDays(now, 1), 9).getTime() });
  const daysToMonday = (8 - now.getDay()) % 7 || 7;
  presets.push({ id: 'nextWeek', until: at(addDays(now, daysToMonday), 9).getTime() });
  return presets;
}

/** A `datetime-local` field's value for a moment, in local time ("2026-12-05T18:30"). */
export function toLocalInput(ms: number): string {
  const date = new Date(ms);
  const pad = (value: number): string => String(value).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** The moment a `datetime-local` value names, in local time; null when it is not one, or not in the future. */
export function fromLocalInput(value: string, now: number): number | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(value);
  if (match === null) return null;
  const [, year, month, day, hours, minutes] = match.map(Number) as [number, number, number, number, number, number];
  const moment = new Date(year, month - 1, day, hours, minutes, 0, 0);
  if (moment.getMonth() !== month - 1 || moment.getDate() !== day) return null;
  const ms = moment.getTime();
  return ms > now ? ms : null;
}
