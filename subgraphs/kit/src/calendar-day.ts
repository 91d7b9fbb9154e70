/**
 * "Today" for a store is its calendar day in its own timezone, as a half-open UTC interval
 * [from, to). Days are 23 or 25 hours long when daylight saving time starts or ends.
 */
const formats = new Map<string, Intl.DateTimeFormat>();

function formatFor(timeZone: string): Intl.DateTimeFormat {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formats.set(timeZone, format);
  }
  return format;
}

function wallClock(instant: number, timeZone: string): { year: number; month: number; day: number; utcMs: number } {
  const parts: Record<string, number> = {};
  for (const part of formatFor(timeZone).formatToParts(new Date(instant))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  const year = parts.year ?? 1970;
  const month = parts.month ?? 1;
  const day = parts.day ?? 1;
  return { year, month, day, utcMs: Date.UTC(year, month - 1, day, parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0) };
}

/** How far the zone's wall clock is ahead of UTC at an instant, in ms. */
function offsetAt(instant: number, timeZone: string): number {
  const whole = instant - (((instant % 1000) + 1000) % 1000);
  return wallClock(whole, timeZone).utcMs - whole;
}

/** The instant the local date y-m-d starts; the second pass corrects for an offset change in between. */
function startOfLocalDay(year: number, month: number, day: number, timeZone: string): Date {
  const asUtc = Date.UTC(year, month - 1, day);
  const first = asUtc - offsetAt(asUtc, timeZone);
  return new Date(asUtc - offsetAt(first, timeZone));
}

/** Throws a RangeError for a timezone the runtime does not know. */
export function calendarDay(now: Date, timeZone: string): { from: Date; to: Date } {
  const { year, month, day } = wallClock(now.getTime(), timeZone);
  return { from: startOfLocalDay(year, month, day, timeZone), to: startOfLocalDay(year, month, day + 1, timeZone) };
}
