import { DomainError, type UserError, userError } from '@comanda/kit';
import { checkRomanianCui } from './tax-id.ts';

export type CustomerKind = 'PERSON' | 'COMPANY';

export interface AddressInput {
  line1: string;
  city: string;
  region?: string | null;
  postalCode?: string | null;
  countryCode: string;
}

export interface NewCustomer {
  kind: CustomerKind;
  name: string;
  email?: string | null;
  phone?: string | null;
  taxId?: string | null;
  tags?: string[] | null;
  address?: AddressInput | null;
}

export interface ValidCustomer {
  kind: CustomerKind;
  name: string;
  email: string | null;
  phone: string | null;
  taxId: string | null;
  tags: string[];
  address: AddressInput | null;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE = /^\+?[0-9 ()-]{6,20}$/;

/** Pure: checks a new customer and returns it normalized, or every problem at once. */
export function validateNewCustomer(input: NewCustomer): ValidCustomer {
  const errors: UserError[] = [];
  const name = input.name.trim();
  if (!name) errors.push(userError('NAME_REQUIRED', 'a customer needs a name', ['input', 'name']));
  if (name.length > 200) errors.push(userError('NAME_TOO_LONG', 'a name has at most 200 characters', ['input', 'name']));
  const email = input.email?.trim().toLowerCase() || null;
  if (email && !EMAIL.test(email)) errors.push(userError('INVALID_EMAIL', 'the email address is not valid', ['input', 'email']));
  const phone = input.phone?.trim() || null;
  if (phone && !PHONE.test(phone)) errors.push(userError('INVALID_PHONE', 'the phone number is not valid', ['input', 'phone']));

  let taxId = input.taxId?.trim() || null;
  const country = input.address?.countryCode?.toUpperCase() ?? 'RO';
  if (taxId && country === 'RO') {
    const check = checkRomanianCui(taxId);
    if (check.ok) taxId = check.normalized;
    else errors.push(userError('INVALID_TAX_ID', check.reason, ['input', 'taxId']));
  }
  if (input.kind === 'COMPANY' && !taxId && !errors.some((e) => e.code === 'INVALID_TAX_ID')) {
    errors.push(userError('TAX_ID_REQUIRED', 'a company needs a tax id', ['input', 'taxId']));
  }
  if (input.address && !/^[A-Z]{2}$/.test(country)) {
    errors.push(userError('INVALID_COUNTRY', 'countryCode is two letters (ISO 3166-1)', ['input', 'address', 'countryCode']));
  }
  const tags = [...new Set((input.tags ?? []).map((t) => t.trim().toLowerCase()).filter(Boolean))];
  if (errors.length) throw DomainError.many(errors);
  return {
    kind: input.kind,
    name,
    email,
    phone,
    taxId,
    tags,
    address: input.address ? { ...input.address, countryCode: country } : null,
  };
}
