import { describe, expect, it } from 'vitest';
import { fromLocalInput, snoozePresets, toLocalInput } from '../../src/features/conversation/controls/snooze.js';

/** Local time, as the agent's clock shows it. */
function local(year: number, month: number, day: number, hours: number, minutes = 0): Date {
  return new Date(year, month - 1, day, hours, minutes, 0, 0);
}

function presets(now: Date): Record<string, string> {
  return Object.fromEntries(snoozePresets(now).map((preset) => [preset.id, toLocalInput(preset.until)]));
}

describe('snooze presets', () => {
  it('on a Wednesday morning: in three hours, this evening, tomorrow and next Monday at nine', () => {
    // 2 December 2026 is a Wednesday.
    expect(presets(local(2026, 12, 2, 10, 7))).toEqual({
      laterToday: '2026-12-02T13:15',
      thisEvening: '2026-12-02T18:00',
      tomorrow: '2026-12-03T09:00',
      nextWeek: '2026-12-07T09:00',
    });
  });

  it('keeps "later today" on the quarter hour it falls on', () => {
    expect(presets(local(2026, 12, 2, 9, 45)).laterToday).toBe('2026-12-02T12:45');
  });

  it('offers no evening once it is almost evening, and no "later today" late at night', () => {
    const lateAfternoon = presets(local(2026, 12, 2, 17, 30));
    expect(lateAfternoon.thisEvening).toBeUndefined();
    expect(lateAfternoon.laterToday).toBe('2026-12-02T20:30');
    const night = presets(local(2026, 12, 2, 22, 0));
    expect(Object.keys(night)).toEqual(['tomorrow', 'nextWeek']);
  });

  it('on a Sunday, next Monday is tomorrow; on a Monday, it is a week later', () => {
    expect(presets(local(2026, 12, 6, 10)).nextWeek).toBe('2026-12-07T09:00');
    expect(presets(local(2026, 12, 7, 10)).nextWeek).toBe('2026-12-14T09:00');
  });

  it('crosses the end of a month and of a year by the calendar', () => {
    expect(presets(local(2026, 12, 31, 10)).tomorrow).toBe('2027-01-01T09:00');
    // 31 December 2026 is a Thursday.
    expect(presets(local(2026, 12, 31, 10)).nextWeek).toBe('2027-01-04T09:00');
  });

  it('every preset is in the future', () => {
    const now = local(2026, 12, 2, 16, 59);
    for (const preset of snoozePresets(now)) expect(preset.until).toBeGreaterThan(now.getTime());
  });
});

describe('a custom snooze time', () => {
  const now = local(2026, 12, 2, 10).getTime();

  it('reads a date and time field in local time', () => {
    expect(fromLocalInput('2026-12-02T18:30', now)).toBe(local(2026, 12, 2, 18, 30).getTime());
    expect(toLocalInput(local(2027, 1, 5, 7, 5).getTime())).toBe('2027-01-05T07:05');
  });

  it('refuses the past, impossible dates and anything else', () => {
    expect(fromLocalInput('2026-12-02T09:59', now)).toBeNull();
    expect(fromLocalInput('2026-02-30T10:00', now)).toBeNull();
    expect(fromLocalInput('tomorrow', now)).toBeNull();
    expect(fromLocalInput('', now)).toBeNull();
  });
});
