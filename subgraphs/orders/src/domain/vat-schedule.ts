/**
 * A variant's VAT rate over time (DOMAIN.md: rates are data with validity dates). Each period
 * starts on a calendar date and lasts until the next one starts; the first has no start (the
 * rate the variant was created with). A sale takes the rate in force on its date in its store's
 * timezone, because a legal rate change starts at midnight where the sale happens.
 */
import { type UserError, userError } from '@comanda/kit';

export interface VatPeriod {
  /** YYYY-MM-DD; null: since the variant exists */
  validFrom: string | null;
  /** percent, a plain decimal */
  rate: string;
}

export interface VatPeriodView extends VatPeriod {
  /** the day the next period starts (exclusive end); null: until further notice */
  validUntil: string | null;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const dateFormats = new Map<string, Intl.DateTimeFormat>();

/** The calendar date (YYYY-MM-DD) of an instant in a timezone. Throws a RangeError for an unknown zone. */
export function localDate(instant: Date, timeZone: string): string {
  let format = dateFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dateFormats.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(instant).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}`;
}

/** A real calendar date written YYYY-MM-DD (2025-02-30 is not one). */
export function isCalendarDate(text: string): boolean {
  const match = DATE.exec(text);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

const byStart = (a: VatPeriod, b: VatPeriod) => ((a.validFrom ?? '') < (b.validFrom ?? '') ? -1 : (a.validFrom ?? '') > (b.validFrom ?? '') ? 1 : 0);

/** The rate in force on a date: the period with the latest start on or before it. */
export function rateOn(periods: readonly VatPeriod[], date: string): string | null {
  let found: VatPeriod | null = null;
  for (const period of [...periods].sort(byStart)) {
    if (period.validFrom === null || period.validFrom <= date) found = period;
  }
  return found?.rate ?? null;
}

/** Oldest first, each with the day its successor starts. */
export function periodsView(periods: readonly VatPeriod[]): VatPeriodView[] {
  const sorted = [...periods].sort(byStart);
  return sorted.map((p, i) => ({ ...p, validUntil: sorted[i + 1]?.validFrom ?? null }));
}

/**
 * The first date a rate change may start: the latest "today" among the tenant's stores (UTC
 * today without stores). A change may take effect today but never rewrite a day that has
 * already ended somewhere: orders of that day were priced with the old rate. (Orders keep the
 * rate they were placed with on their lines, so a change today leaves today's earlier sales as
 * they were.)
 */
export function earliestChangeDate(storeTimezones: readonly string[], now: Date): string {
  const todays = storeTimezones.map((tz) => localDate(now, tz));
  return todays.length ? todays.reduce((a, b) => (a > b ? a : b)) : now.toISOString().slice(0, 10);
}

/** Checks the start date of a scheduled change. */
export function checkChangeDate(validFrom: string, earliest: string, field: string[]): UserError | null {
  if (!isCalendarDate(validFrom)) return userError('INVALID_DATE', `${validFrom} is not a date written YYYY-MM-DD`, field);
  if (validFrom < earliest) return userError('VAT_RATE_IN_PAST', `a rate change starts on ${earliest} or later; earlier days are history`, field);
  return null;
}
