import { DomainError } from '@comanda/kit';
import type { CustomerFields } from './customer.ts';

export const ERASED_NAME = 'Erased customer';
const MAX_REASON = 500;

/** Pure: why an erasure is asked for is part of the record (accountability), so it is required. */
export function checkErasureReason(raw: string): string {
  const reason = raw.trim();
  if (!reason || reason.length > MAX_REASON) {
    throw new DomainError('ERASURE_REASON_REQUIRED', `an erasure needs a reason of at most ${MAX_REASON} characters`, ['input', 'reason']);
  }
  return reason;
}

/** What is left of an erased customer: the id, the kind and the dates; nothing that names the person. */
export function erasedFields(kind: CustomerFields['kind']): CustomerFields {
  return { kind, name: ERASED_NAME, email: null, phone: null, taxId: null, tags: [], notes: null };
}

/** Event fields that can carry personal data, and what an erased customer's events say instead. */
const PERSONAL: Record<string, unknown> = { name: ERASED_NAME, email: null, phone: null, taxId: null, notes: null, address: null };

/**
 * Pure: an event's data with the person taken out, for the events this subgraph still holds
 * about an erased customer (its outbox: a replay must not bring the person back).
 */
export function redactEventData(data: Record<string, unknown>): Record<string, unknown> {
  const redacted = { ...data };
  for (const [key, replacement] of Object.entries(PERSONAL)) if (key in redacted) redacted[key] = replacement;
  return redacted;
}
