import { DomainError, type UserError, userError } from '@comanda/kit';
import { type AddressState, sameAddress } from './addresses.ts';
import type { ConsentState } from './consent.ts';
import type { CustomerFields, CustomerState, CustomerStatus } from './customer.ts';
import { taxKey } from './normalize.ts';

export interface MergeSide extends CustomerState {
  status: CustomerStatus;
}

export interface MergePlan {
  /** the survivor's fields after the merge */
  fields: CustomerFields;
  changed: string[];
  /** the merged customer's addresses that move to the survivor, with their flags there */
  moved: AddressState[];
  /** the merged customer's addresses the survivor already has */
  dropped: string[];
  /** the survivor's consent when the merged customer's statement is the newer one */
  consent: ConsentState | null;
}

/** Pure: why two customers cannot be merged, if they cannot. */
export function mergeProblems(survivor: MergeSide, merged: MergeSide): UserError[] {
  const errors: UserError[] = [];
  if (survivor.id === merged.id) errors.push(userError('MERGE_SAME_CUSTOMER', 'a customer cannot be merged into itself', ['input', 'mergedId']));
  for (const [side, field] of [
    [survivor, 'survivorId'],
    [merged, 'mergedId'],
  ] as const) {
    if (side.status === 'ERASED') errors.push(userError('CUSTOMER_ERASED', 'an erased customer cannot be merged', ['input', field]));
  }
  if (survivor.kind !== merged.kind) {
    errors.push(userError('MERGE_KIND_MISMATCH', 'a person and a company are not the same customer: change the kind first', ['input', 'mergedId']));
  }
  const a = taxKey(survivor.taxId);
  const b = taxKey(merged.taxId);
  if (a && b && a !== b) {
    errors.push(userError('MERGE_TAX_ID_CONFLICT', 'two different tax ids are two different companies', ['input', 'mergedId']));
  }
  return errors;
}

const joinNotes = (a: string | null, b: string | null): string | null => {
  if (!a || !b || a === b) return a ?? b;
  return `${a}\n\n${b}`;
};

/**
 * Pure: the survivor keeps what it has and gains what only the merged customer had: empty
 * contact fields are filled, tags and notes combined, new addresses moved over (the survivor's
 * defaults stay; it takes the merged one's defaults only where it had none), and the newer
 * marketing statement wins.
 */
export function planMerge(survivor: MergeSide, merged: MergeSide): MergePlan {
  const errors = mergeProblems(survivor, merged);
  if (errors.length) throw DomainError.many(errors);
  const fields: CustomerFields = {
    kind: survivor.kind,
    name: survivor.name,
    email: survivor.email ?? merged.email,
    phone: survivor.phone ?? merged.phone,
    taxId: survivor.taxId ?? merged.taxId,
    tags: [...new Set([...survivor.tags, ...merged.tags])],
    notes: joinNotes(survivor.notes, merged.notes),
  };
  const changed: string[] = (Object.keys(fields) as (keyof CustomerFields)[]).filter((k) =>
    k === 'tags' ? fields.tags.length !== survivor.tags.length : fields[k] !== survivor[k],
  );

  const moved: AddressState[] = [];
  const dropped: string[] = [];
  const hasBilling = survivor.addresses.some((a) => a.defaultBilling);
  const hasShipping = survivor.addresses.some((a) => a.defaultShipping);
  for (const address of merged.addresses) {
    if ([...survivor.addresses, ...moved].some((a) => sameAddress(a, address))) dropped.push(address.id);
    else moved.push({ ...address, defaultBilling: !hasBilling && address.defaultBilling, defaultShipping: !hasShipping && address.defaultShipping });
  }
  if (moved.length) changed.push('addresses');

  const newer = (merged.consent.at?.getTime() ?? -1) > (survivor.consent.at?.getTime() ?? -1);
  const consent = newer ? merged.consent : null;
  if (consent) changed.push('marketingConsent');
  return { fields, changed, moved, dropped, consent };
}
