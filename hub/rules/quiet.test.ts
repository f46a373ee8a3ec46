// Staff quiet hours: local clock times in the school's time zone, wrapping midnight.
import { describe, expect, it } from 'vitest';
import { inQuietHours, quietEnd, sentInQuietHours } from './quiet.ts';
import { fixtureDirectory } from '../testing/fixture.ts';

const evening = { start: '17:00', end: '07:00', timezone: 'Europe/Stockholm' };

describe('inQuietHours', () => {
  it.each([
    ['2025-01-15T15:59:00Z', false], // 16:59 in Stockholm (winter, UTC+1)
    ['2025-01-15T16:00:00Z', true], // 17:00
    ['2025-01-15T22:30:00Z', true], // 23:30
    ['2025-01-16T05:59:00Z', true], // 06:59
    ['2025-01-16T06:00:00Z', false], // 07:00
    ['2025-07-15T15:30:00Z', true], // 17:30 in summer (UTC+2)
    ['2025-07-15T14:30:00Z', false], // 16:30 in summer
  ])('%s → %s (17:00–07:00 Europe/Stockholm)', (at, quiet) => {
    expect(inQuietHours(evening, new Date(at))).toBe(quiet);
  });

  it('a window within one day, and an empty window', () => {
    const lunch = { start: '11:30', end: '12:15', timezone: 'UTC' };
    expect(inQuietHours(lunch, new Date('2025-03-03T11:45:00Z'))).toBe(true);
    expect(inQuietHours(lunch, new Date('2025-03-03T12:15:00Z'))).toBe(false);
    expect(inQuietHours({ start: '08:00', end: '08:00', timezone: 'UTC' }, new Date('2025-03-03T08:00:00Z'))).toBe(false);
  });
});

describe('quietEnd', () => {
  it.each([
    ['2025-01-15T22:30:45Z', '2025-01-16T06:00:00.000Z'], // 23:30 in Stockholm: ends 07:00 local
    ['2025-01-16T05:59:00Z', '2025-01-16T06:00:00.000Z'], // 06:59: a minute left
    ['2025-07-15T15:30:00Z', '2025-07-16T05:00:00.000Z'], // 17:30 in summer: 07:00 local is 05:00Z
  ])('in quiet hours at %s → they end at %s', (at, end) => {
    expect(quietEnd(evening, new Date(at))?.toISOString()).toBe(end);
  });

  it('outside quiet hours (and for an empty window) there is nothing to wait for', () => {
    expect(quietEnd(evening, new Date('2025-01-15T12:00:00Z'))).toBeNull();
    expect(quietEnd({ start: '08:00', end: '08:00', timezone: 'UTC' }, new Date('2025-03-03T08:00:00Z'))).toBeNull();
  });
});

describe('sentInQuietHours', () => {
  const dir = fixtureDirectory((r) => {
    r.settings.find((s) => s.organisation.id === 'north')!.quietHours = evening;
  });
  const night = new Date('2025-01-15T20:00:00Z');
  const day = new Date('2025-01-15T10:00:00Z');

  it('flags a guardian or student writing to staff of the school at night', () => {
    expect(sentInQuietHours(dir, 'g1a', ['g1a', 'm1'], night)).toBe(true);
    expect(sentInQuietHours(dir, 's1', ['t1', 's1'], night)).toBe(true);
    expect(sentInQuietHours(dir, 'g1a', ['g1a', 'm1'], day)).toBe(false);
  });

  it('not staff writing to families, colleagues to each other, or a school without quiet hours', () => {
    expect(sentInQuietHours(dir, 'm1', ['m1', 'g1a'], night)).toBe(false);
    expect(sentInQuietHours(dir, 'm1', ['m1', 't1'], night)).toBe(false);
    expect(sentInQuietHours(dir, 'gS1a', ['gS1a', 'mS'], night)).toBe(false); // south has none
  });
});
