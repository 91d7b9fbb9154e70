import type { UserError } from '@comanda/kit';
import { userError } from '@comanda/kit';
import { fold } from './normalize.ts';

/** The contract's AddressInput: one address, for createCustomer. */
export interface AddressInput {
  line1: string;
  city: string;
  region?: string | null;
  postalCode?: string | null;
  countryCode: string;
}

export interface AddressFields {
  label: string | null;
  line1: string;
  city: string;
  region: string | null;
  postalCode: string | null;
  countryCode: string;
}

export interface AddressState extends AddressFields {
  id: string;
  defaultBilling: boolean;
  defaultShipping: boolean;
}

export interface NewAddressInput extends AddressInput {
  label?: string | null;
  defaultBilling?: boolean | null;
  defaultShipping?: boolean | null;
}

export interface AddressUpdateInput {
  id: string;
  label?: string | null;
  line1?: string | null;
  city?: string | null;
  region?: string | null;
  postalCode?: string | null;
  countryCode?: string | null;
  defaultBilling?: boolean | null;
  defaultShipping?: boolean | null;
}

export interface AddressChanges {
  add?: NewAddressInput[] | null;
  update?: AddressUpdateInput[] | null;
  remove?: string[] | null;
  /** where each list sits in the input, for userError fields */
  paths?: { add?: string[]; update?: string[]; remove?: string[] };
}

export interface AddressPlan {
  /** every address after the change, oldest first */
  next: AddressState[];
  inserted: AddressState[];
  updated: AddressState[];
  removed: string[];
}

export const MAX_ADDRESSES = 20;

const blankToNull = (value: string | null | undefined): string | null => value?.trim() || null;

/** Pure: one address checked and tidied; problems are pushed with `field` as the path prefix. */
export function validateAddressFields(input: Partial<AddressFields>, field: string[], errors: UserError[]): AddressFields {
  const line1 = input.line1?.trim() ?? '';
  const city = input.city?.trim() ?? '';
  const countryCode = input.countryCode?.trim().toUpperCase() ?? '';
  const region = blankToNull(input.region);
  const postalCode = blankToNull(input.postalCode)?.replace(/\s+/g, ' ') ?? null;
  const label = blankToNull(input.label);
  if (!line1) errors.push(userError('ADDRESS_LINE_REQUIRED', 'an address needs a street line', [...field, 'line1']));
  else if (line1.length > 200) errors.push(userError('ADDRESS_TOO_LONG', 'an address line has at most 200 characters', [...field, 'line1']));
  if (!city) errors.push(userError('ADDRESS_CITY_REQUIRED', 'an address needs a city', [...field, 'city']));
  else if (city.length > 100) errors.push(userError('ADDRESS_TOO_LONG', 'a city has at most 100 characters', [...field, 'city']));
  if (region && region.length > 100) errors.push(userError('ADDRESS_TOO_LONG', 'a region has at most 100 characters', [...field, 'region']));
  if (label && label.length > 50) errors.push(userError('ADDRESS_TOO_LONG', 'a label has at most 50 characters', [...field, 'label']));
  if (!/^[A-Z]{2}$/.test(countryCode)) {
    errors.push(userError('INVALID_COUNTRY', 'countryCode is two letters (ISO 3166-1)', [...field, 'countryCode']));
  } else if (postalCode && !(countryCode === 'RO' ? /^\d{6}$/ : /^[A-Z0-9][A-Z0-9 -]{1,11}$/i).test(postalCode)) {
    errors.push(
      userError('INVALID_POSTAL_CODE', countryCode === 'RO' ? 'a Romanian postal code is 6 digits' : 'the postal code is not valid', [
        ...field,
        'postalCode',
      ]),
    );
  }
  return { label, line1, city, region, postalCode, countryCode };
}

/** Two addresses are the same place when street, city, postal code and country match, however typed. */
export function sameAddress(a: AddressFields, b: AddressFields): boolean {
  const key = (x: AddressFields) => [fold(x.line1), fold(x.city), (x.postalCode ?? '').replace(/\s/g, ''), x.countryCode].join('|');
  return key(a) === key(b);
}

const sameState = (a: AddressState, b: AddressState) =>
  a.label === b.label &&
  a.line1 === b.line1 &&
  a.city === b.city &&
  a.region === b.region &&
  a.postalCode === b.postalCode &&
  a.countryCode === b.countryCode &&
  a.defaultBilling === b.defaultBilling &&
  a.defaultShipping === b.defaultShipping;

type DefaultFlag = 'defaultBilling' | 'defaultShipping';
const FLAGS: DefaultFlag[] = ['defaultBilling', 'defaultShipping'];

/**
 * Pure: applies removals, edits and additions to a customer's addresses and keeps the rule that
 * a customer with addresses has exactly one default billing and one default shipping address.
 *  - `defaultBilling: true` makes an address the default (and no other); two in one request is a conflict.
 *  - `false` on the current default is refused unless another address becomes the default in the
 *    same request (a default is replaced, never left empty).
 *  - when the default is removed, or the first address is added, the oldest address takes over.
 *  - adding an address that is already there (same place) adds nothing: a retried request is harmless;
 *    its label and flags apply to the existing one.
 */
export function planAddresses(current: AddressState[], changes: AddressChanges, newId: () => string): { plan: AddressPlan; errors: UserError[] } {
  const errors: UserError[] = [];
  const paths = { add: ['input', 'addAddresses'], update: ['input', 'updateAddresses'], remove: ['input', 'removeAddressIds'], ...changes.paths };
  const removed = new Set<string>();
  (changes.remove ?? []).forEach((id, i) => {
    const known = current.find((a) => a.id === id.toLowerCase());
    if (!known) errors.push(userError('ADDRESS_NOT_FOUND', 'this customer has no address with that id', [...paths.remove, String(i)]));
    else removed.add(known.id);
  });

  const working = current.filter((a) => !removed.has(a.id)).map((a) => ({ ...a }));
  const wants: Record<DefaultFlag, { id: string; field: string[] }[]> = { defaultBilling: [], defaultShipping: [] };
  const unsets: Record<DefaultFlag, { id: string; field: string[] }[]> = { defaultBilling: [], defaultShipping: [] };
  const noteFlags = (id: string, input: { defaultBilling?: boolean | null; defaultShipping?: boolean | null }, field: string[]) => {
    for (const flag of FLAGS) {
      if (input[flag] === true) wants[flag].push({ id, field: [...field, flag] });
      if (input[flag] === false) unsets[flag].push({ id, field: [...field, flag] });
    }
  };

  (changes.update ?? []).forEach((input, i) => {
    const field = [...paths.update, String(i)];
    const target = working.find((a) => a.id === input.id.toLowerCase());
    if (!target) {
      errors.push(userError('ADDRESS_NOT_FOUND', 'this customer has no address with that id', [...field, 'id']));
      return;
    }
    const pick = <K extends keyof AddressFields>(key: K): AddressFields[K] | null =>
      input[key] === undefined ? target[key] : (input[key] as AddressFields[K] | null);
    const fields = validateAddressFields(
      {
        label: pick('label'),
        line1: pick('line1') ?? '',
        city: pick('city') ?? '',
        region: pick('region'),
        postalCode: pick('postalCode'),
        countryCode: pick('countryCode') ?? '',
      },
      field,
      errors,
    );
    Object.assign(target, fields);
    noteFlags(target.id, input, field);
  });

  const inserted: AddressState[] = [];
  (changes.add ?? []).forEach((input, i) => {
    const field = [...paths.add, String(i)];
    const fields = validateAddressFields(input, field, errors);
    const existing = working.find((a) => sameAddress(a, fields));
    if (existing) {
      if (fields.label) existing.label = fields.label;
      noteFlags(existing.id, input, field);
      return;
    }
    const address: AddressState = { id: newId(), ...fields, defaultBilling: false, defaultShipping: false };
    working.push(address);
    inserted.push(address);
    noteFlags(address.id, input, field);
  });

  for (const flag of FLAGS) {
    const chosen = [...new Set(wants[flag].map((w) => w.id))];
    if (chosen.length > 1) {
      const second = wants[flag].find((w) => w.id === chosen[1])!;
      errors.push(userError('ADDRESS_DEFAULT_CONFLICT', 'only one address can be the default of each kind', second.field));
      continue;
    }
    for (const unset of unsets[flag]) {
      const target = working.find((a) => a.id === unset.id);
      if (target?.[flag] && chosen[0] !== undefined && chosen[0] !== unset.id) continue;
      if (target?.[flag] || chosen[0] === unset.id) {
        errors.push(userError('ADDRESS_DEFAULT_REQUIRED', 'make another address the default instead of unsetting this one', unset.field));
      }
    }
    const winner = chosen[0] ?? working.find((a) => a[flag])?.id ?? working[0]?.id;
    for (const a of working) a[flag] = a.id === winner;
  }

  if (working.length > MAX_ADDRESSES) {
    errors.push(userError('TOO_MANY_ADDRESSES', `a customer has at most ${MAX_ADDRESSES} addresses`, paths.add));
  }
  const updated = working.filter((a) => {
    const before = current.find((c) => c.id === a.id);
    return before !== undefined && !sameState(before, a);
  });
  return { plan: { next: working, inserted, updated, removed: [...removed] }, errors };
}

export const defaultAddress = (addresses: readonly AddressState[], flag: DefaultFlag): AddressState | null => addresses.find((a) => a[flag]) ?? null;
