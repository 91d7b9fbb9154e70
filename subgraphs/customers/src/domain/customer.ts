import { DomainError, type UserError, userError } from '@comanda/kit';
import {
  type AddressInput,
  type AddressPlan,
  type AddressState,
  type AddressUpdateInput,
  defaultAddress,
  type NewAddressInput,
  planAddresses,
} from './addresses.ts';
import { type ConsentInput, type ConsentState, NO_CONSENT, planConsent } from './consent.ts';
import { checkRomanianCui } from './tax-id.ts';

export type CustomerKind = 'PERSON' | 'COMPANY';
/** MERGED: a tombstone pointing to the customer it was merged into; ERASED: anonymized (GDPR). */
export type CustomerStatus = 'ACTIVE' | 'MERGED' | 'ERASED';

export interface NewCustomer {
  kind: CustomerKind;
  name: string;
  email?: string | null;
  phone?: string | null;
  taxId?: string | null;
  tags?: string[] | null;
  notes?: string | null;
  /** one address, the default for billing and shipping */
  address?: AddressInput | null;
  addresses?: NewAddressInput[] | null;
  marketingConsent?: ConsentInput | null;
}

/** What the rules need to know of a customer. */
export interface CustomerState {
  id: string;
  kind: CustomerKind;
  name: string;
  email: string | null;
  phone: string | null;
  taxId: string | null;
  tags: string[];
  notes: string | null;
  consent: ConsentState;
  addresses: AddressState[];
}

export type CustomerFields = Pick<CustomerState, 'kind' | 'name' | 'email' | 'phone' | 'taxId' | 'tags' | 'notes'>;

export interface ValidCustomer extends CustomerFields {
  addresses: AddressState[];
  /** null: the customer said nothing about marketing */
  consent: ConsentState | null;
}

export const MAX_TAGS = 50;
const MAX_TAG_LENGTH = 40;
const MAX_NOTES = 2000;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE = /^\+?[0-9 ()-]{6,20}$/;

export interface RuleOptions {
  now?: Date;
  newId?: () => string;
}

const defaults = (options: RuleOptions) => ({ now: options.now ?? new Date(), newId: options.newId ?? (() => crypto.randomUUID()) });

function checkName(raw: string, errors: UserError[]): string {
  const name = raw.trim().replace(/\s+/g, ' ');
  if (!name) errors.push(userError('NAME_REQUIRED', 'a customer needs a name', ['input', 'name']));
  if (name.length > 200) errors.push(userError('NAME_TOO_LONG', 'a name has at most 200 characters', ['input', 'name']));
  return name;
}

function checkEmail(raw: string | null | undefined, errors: UserError[]): string | null {
  const email = raw?.trim().toLowerCase() || null;
  if (email && (!EMAIL.test(email) || email.length > 254)) {
    errors.push(userError('INVALID_EMAIL', 'the email address is not valid', ['input', 'email']));
  }
  return email;
}

function checkPhone(raw: string | null | undefined, errors: UserError[]): string | null {
  const phone = raw?.trim().replace(/\s+/g, ' ') || null;
  if (phone && !PHONE.test(phone)) errors.push(userError('INVALID_PHONE', 'the phone number is not valid', ['input', 'phone']));
  return phone;
}

/** A Romanian CUI where the customer is billed in Romania (or nowhere yet); elsewhere a VAT id's shape. */
function checkTaxId(raw: string | null | undefined, country: string, errors: UserError[]): string | null {
  const taxId = raw?.trim() || null;
  if (!taxId) return null;
  if (country === 'RO') {
    const check = checkRomanianCui(taxId);
    if (check.ok) return check.normalized;
    errors.push(userError('INVALID_TAX_ID', check.reason, ['input', 'taxId']));
    return taxId;
  }
  const compact = taxId.replace(/[\s.-]/g, '').toUpperCase();
  if (!/^[A-Z0-9]{2,20}$/.test(compact)) errors.push(userError('INVALID_TAX_ID', 'a tax id is 2 to 20 letters and digits', ['input', 'taxId']));
  return compact;
}

function checkNotes(raw: string | null | undefined, errors: UserError[]): string | null {
  const notes = raw?.trim() || null;
  if (notes && notes.length > MAX_NOTES) errors.push(userError('NOTES_TOO_LONG', `notes have at most ${MAX_NOTES} characters`, ['input', 'notes']));
  return notes;
}

/** Tags are lower case, trimmed and unique. */
export function normalizeTags(tags: readonly string[] | null | undefined): string[] {
  return [...new Set((tags ?? []).map((t) => t.trim().toLowerCase().replace(/\s+/g, ' ')).filter(Boolean))];
}

function checkTags(tags: string[], field: string[], errors: UserError[]): void {
  if (tags.some((t) => t.length > MAX_TAG_LENGTH)) errors.push(userError('TAG_TOO_LONG', `a tag has at most ${MAX_TAG_LENGTH} characters`, field));
  if (tags.length > MAX_TAGS) errors.push(userError('TOO_MANY_TAGS', `a customer has at most ${MAX_TAGS} tags`, field));
}

function requireTaxIdOfCompany(kind: CustomerKind, taxId: string | null, errors: UserError[]): void {
  if (kind === 'COMPANY' && !taxId && !errors.some((e) => e.code === 'INVALID_TAX_ID')) {
    errors.push(userError('TAX_ID_REQUIRED', 'a company needs a tax id', ['input', 'taxId']));
  }
}

/** The country that decides how a tax id is checked: the billing address's, Romania when there is none. */
const taxCountry = (addresses: AddressState[]) => defaultAddress(addresses, 'defaultBilling')?.countryCode ?? 'RO';

/** Pure: checks a new customer and returns it normalized, or every problem at once. */
export function validateNewCustomer(input: NewCustomer, options: RuleOptions = {}): ValidCustomer {
  const { now, newId } = defaults(options);
  const errors: UserError[] = [];
  const name = checkName(input.name, errors);
  const email = checkEmail(input.email, errors);
  const phone = checkPhone(input.phone, errors);
  const notes = checkNotes(input.notes, errors);
  const tags = normalizeTags(input.tags);
  checkTags(tags, ['input', 'tags'], errors);

  const single = input.address ? [{ ...input.address, defaultBilling: true, defaultShipping: true }] : [];
  const { plan, errors: addressErrors } = planAddresses([], { add: single, paths: { add: ['input', 'address'] } }, newId);
  // the single address's problems are reported at input.address, not input.address.0
  errors.push(...addressErrors.map((e) => ({ ...e, field: e.field && ['input', 'address', ...e.field.slice(3)] })));
  const more = planAddresses(plan.next, { add: input.addresses, paths: { add: ['input', 'addresses'] } }, newId);
  errors.push(...more.errors);
  const addresses = more.plan.next;

  const taxId = checkTaxId(input.taxId, taxCountry(addresses), errors);
  requireTaxIdOfCompany(input.kind, taxId, errors);
  const consent = input.marketingConsent ? planConsent(NO_CONSENT, input.marketingConsent, now, ['input', 'marketingConsent'], errors) : null;
  if (errors.length) throw DomainError.many(errors);
  return { kind: input.kind, name, email, phone, taxId, tags, notes, addresses, consent };
}

/**
 * A change to a customer: a field left out stays as it is; `null` clears it (email, phone,
 * taxId, notes). Tags are added and removed rather than replaced, so two cashiers tagging the
 * same customer do not undo each other.
 */
export interface CustomerPatch {
  kind?: CustomerKind | null;
  name?: string | null;
  email?: string | null;
  phone?: string | null;
  taxId?: string | null;
  notes?: string | null;
  addTags?: string[] | null;
  removeTags?: string[] | null;
  marketingConsent?: ConsentInput | null;
  addAddresses?: NewAddressInput[] | null;
  updateAddresses?: AddressUpdateInput[] | null;
  removeAddressIds?: string[] | null;
}

export interface UpdatePlan {
  fields: CustomerFields;
  /** names of what changed, for the event; empty: nothing to write */
  changed: string[];
  addresses: AddressPlan;
  /** the new consent when the customer made a statement that changes it */
  consent: ConsentState | null;
}

/** Pure: what a patch does to a customer, or every problem at once. */
export function planCustomerUpdate(state: CustomerState, patch: CustomerPatch, options: RuleOptions = {}): UpdatePlan {
  const { now, newId } = defaults(options);
  const errors: UserError[] = [];
  const kind = patch.kind ?? state.kind;
  const name = patch.name === undefined ? state.name : checkName(patch.name ?? '', errors);
  const email = patch.email === undefined ? state.email : checkEmail(patch.email, errors);
  const phone = patch.phone === undefined ? state.phone : checkPhone(patch.phone, errors);
  const notes = patch.notes === undefined ? state.notes : checkNotes(patch.notes, errors);

  const added = normalizeTags(patch.addTags);
  const removedTags = new Set(normalizeTags(patch.removeTags));
  if (added.some((t) => removedTags.has(t))) {
    errors.push(userError('TAG_CONFLICT', 'a tag cannot be added and removed at once', ['input', 'removeTags']));
  }
  const tags = [...new Set([...state.tags, ...added])].filter((t) => !removedTags.has(t));
  checkTags(added, ['input', 'addTags'], errors);
  if (tags.length > MAX_TAGS && tags.length > state.tags.length) {
    errors.push(userError('TOO_MANY_TAGS', `a customer has at most ${MAX_TAGS} tags`, ['input', 'addTags']));
  }

  const { plan: addresses, errors: addressErrors } = planAddresses(
    state.addresses,
    { add: patch.addAddresses, update: patch.updateAddresses, remove: patch.removeAddressIds },
    newId,
  );
  errors.push(...addressErrors);
  const taxId = patch.taxId === undefined ? state.taxId : checkTaxId(patch.taxId, taxCountry(addresses.next), errors);
  requireTaxIdOfCompany(kind, taxId, errors);
  const consent = patch.marketingConsent ? planConsent(state.consent, patch.marketingConsent, now, ['input', 'marketingConsent'], errors) : null;
  if (errors.length) throw DomainError.many(errors);

  const fields: CustomerFields = { kind, name, email, phone, taxId, tags, notes };
  const changed: string[] = (Object.keys(fields) as (keyof CustomerFields)[]).filter((k) =>
    k === 'tags' ? fields.tags.join('\n') !== state.tags.join('\n') : fields[k] !== state[k],
  );
  if (addresses.inserted.length || addresses.updated.length || addresses.removed.length) changed.push('addresses');
  if (consent) changed.push('marketingConsent');
  return { fields, changed, addresses, consent };
}
