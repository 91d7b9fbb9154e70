import { type UserError, userError } from '@comanda/kit';

/** Where a marketing consent was given or withdrawn; ERASURE is the system's own withdrawal. */
export const CONSENT_SOURCES = ['POS', 'WEB', 'MOBILE', 'EMAIL', 'PHONE', 'PAPER_FORM', 'IMPORT', 'STAFF', 'ERASURE'] as const;
export type ConsentSource = (typeof CONSENT_SOURCES)[number];

export interface ConsentState {
  granted: boolean;
  /** when the customer said so; null: never asked */
  at: Date | null;
  source: ConsentSource | null;
}

export interface ConsentInput {
  granted: boolean;
  source: string;
  /** when the customer said so (a paper form signed last week); defaults to now */
  at?: Date | null;
}

export const NO_CONSENT: ConsentState = { granted: false, at: null, source: null };

/** A statement dated a little ahead is a clock out of step; further ahead it is a mistake. */
const CLOCK_SKEW_MS = 5 * 60_000;

/**
 * Pure: the consent after a customer's statement, or null when it changes nothing (the same
 * answer from the same source again: a retried request records no second change). Problems are
 * pushed under `field`.
 */
export function planConsent(current: ConsentState, input: ConsentInput, now: Date, field: string[], errors: UserError[]): ConsentState | null {
  const source = input.source as ConsentSource;
  if (!CONSENT_SOURCES.includes(source) || source === 'ERASURE') {
    errors.push(userError('INVALID_CONSENT_SOURCE', `the source is one of ${CONSENT_SOURCES.slice(0, -1).join(', ')}`, [...field, 'source']));
    return null;
  }
  const at = input.at ?? now;
  if (at.getTime() > now.getTime() + CLOCK_SKEW_MS) {
    errors.push(userError('CONSENT_IN_FUTURE', 'consent cannot be given in the future', [...field, 'at']));
    return null;
  }
  const repeated = current.at !== null && current.granted === input.granted && current.source === source;
  if (repeated && (!input.at || input.at.getTime() === current.at?.getTime())) return null;
  return { granted: input.granted, at, source };
}

/** Erasure withdraws consent, recorded like any other withdrawal so the history stays whole. */
export function withdrawnByErasure(current: ConsentState, now: Date): ConsentState | null {
  if (!current.granted && current.source === 'ERASURE') return null;
  return { granted: false, at: now, source: 'ERASURE' };
}
