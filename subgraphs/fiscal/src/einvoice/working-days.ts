/**
 * Romanian working days, for the e-Factura deadline (an invoice is submitted within 5 working
 * days of its issue date). Weekends and the public holidays of the Labour Code (art. 139) are
 * not working days; the Orthodox Easter and Pentecost move every year and are computed.
 */

const FIXED_HOLIDAYS = ['01-01', '01-02', '01-06', '01-07', '01-24', '05-01', '06-01', '08-15', '11-30', '12-01', '12-25', '12-26'];

const iso = (d: Date) => d.toISOString().slice(0, 10);

function addDays(date: Date, days: number): Date {
  return new Date(date.getTime() + days * 86_400_000);
}

/** Orthodox Easter Sunday (Meeus' Julian algorithm, shifted to the Gregorian calendar: +13 days from 1900 to 2099). */
export function orthodoxEaster(year: number): Date {
  const a = year % 4;
  const b = year % 7;
  const c = year % 19;
  const d = (19 * c + 15) % 30;
  const e = (2 * a + 4 * b - d + 34) % 7;
  const month = Math.floor((d + e + 114) / 31);
  const day = ((d + e + 114) % 31) + 1;
  return addDays(new Date(Date.UTC(year, month - 1, day)), 13);
}

const holidayCache = new Map<number, Set<string>>();

export function publicHolidays(year: number): Set<string> {
  let days = holidayCache.get(year);
  if (!days) {
    const easter = orthodoxEaster(year);
    days = new Set([
      ...FIXED_HOLIDAYS.map((md) => `${year}-${md}`),
      // Good Friday, Easter Sunday and Monday, Pentecost Sunday and Monday
      ...[-2, 0, 1, 49, 50].map((offset) => iso(addDays(easter, offset))),
    ]);
    holidayCache.set(year, days);
  }
  return days;
}

export function isWorkingDay(date: string): boolean {
  const d = new Date(`${date}T00:00:00Z`);
  const weekday = d.getUTCDay();
  return weekday !== 0 && weekday !== 6 && !publicHolidays(d.getUTCFullYear()).has(date);
}

/** The date `days` working days after `date` (YYYY-MM-DD): the last day a submission is on time. */
export function addWorkingDays(date: string, days: number): string {
  let d = new Date(`${date}T00:00:00Z`);
  let left = days;
  while (left > 0) {
    d = addDays(d, 1);
    if (isWorkingDay(iso(d))) left--;
  }
  return iso(d);
}

export const SUBMISSION_WORKING_DAYS = 5;
