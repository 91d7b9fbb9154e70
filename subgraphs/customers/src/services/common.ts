import { DomainError, type EntityManager } from '@comanda/kit';
import { LockMode } from '@mikro-orm/core';
import { v7 as uuidv7 } from 'uuid';
import type { AddressPlan, AddressState } from '../domain/addresses.ts';
import type { ConsentState } from '../domain/consent.ts';
import type { CustomerFields, CustomerState } from '../domain/customer.ts';
import { type AddressRow, ConsentChange, Customer, CustomerAddress, type CustomerRow } from '../entities.ts';
import type { Actor } from '../events.ts';

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const notFound = (field: string[]) => new DomainError('CUSTOMER_NOT_FOUND', 'there is no such customer', field);

/** Locks customers (in id order, so two requests locking the same pair cannot deadlock); unknown ids are left out. */
export async function lockCustomers(tx: EntityManager, ids: string[]): Promise<Map<string, CustomerRow>> {
  const valid = [...new Set(ids.filter((id) => UUID.test(id)).map((id) => id.toLowerCase()))].sort();
  if (!valid.length) return new Map();
  const rows = await tx.find(Customer, { id: { $in: valid } }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true, orderBy: { id: 'asc' } });
  return new Map(rows.map((r) => [r.id, r]));
}

/** A customer that can still change: merged ones point elsewhere, erased ones are gone. */
export function requireActive(row: CustomerRow | undefined, field: string[]): CustomerRow {
  if (!row) throw notFound(field);
  if (row.status === 'MERGED') {
    throw new DomainError('CUSTOMER_MERGED', `this customer was merged into ${row.mergedIntoId}: use that one`, field);
  }
  if (row.status === 'ERASED') throw new DomainError('CUSTOMER_ERASED', 'this customer was erased', field);
  return row;
}

export function addressesOf(tx: EntityManager, customerIds: string[]): Promise<AddressRow[]> {
  if (!customerIds.length) return Promise.resolve([]);
  return tx.find(CustomerAddress, { customerId: { $in: customerIds } }, { orderBy: { createdAt: 'asc', id: 'asc' }, refresh: true });
}

export const toAddressState = (a: AddressRow): AddressState => ({
  id: a.id,
  label: a.label ?? null,
  line1: a.line1,
  city: a.city,
  region: a.region ?? null,
  postalCode: a.postalCode ?? null,
  countryCode: a.countryCode,
  defaultBilling: a.defaultBilling,
  defaultShipping: a.defaultShipping,
});

export const consentOf = (c: CustomerRow): ConsentState => ({
  granted: c.marketingConsent,
  at: c.marketingConsentAt ?? null,
  source: c.marketingConsentSource ?? null,
});

export function toState(c: CustomerRow, addresses: AddressRow[]): CustomerState {
  return {
    id: c.id,
    kind: c.kind,
    name: c.name,
    email: c.email ?? null,
    phone: c.phone ?? null,
    taxId: c.taxId ?? null,
    tags: c.tags,
    notes: c.notes ?? null,
    consent: consentOf(c),
    addresses: addresses.filter((a) => a.customerId === c.id).map(toAddressState),
  };
}

export function assignFields(c: CustomerRow, fields: CustomerFields): void {
  Object.assign(c, fields);
}

/**
 * Writes an address plan: rows removed, edited and added (the one-default rule is checked by the
 * database at commit). Returns the customer's address rows after it, oldest first.
 */
export function applyAddressPlan(tx: EntityManager, tenantId: string, customerId: string, plan: AddressPlan, rows: AddressRow[]): AddressRow[] {
  const byId = new Map(rows.map((r) => [r.id, r]));
  for (const id of plan.removed) {
    const row = byId.get(id);
    if (row) tx.remove(row);
    byId.delete(id);
  }
  for (const a of plan.updated) {
    const row = byId.get(a.id);
    if (row) Object.assign(row, toAddressColumns(a));
  }
  const now = new Date();
  plan.inserted.forEach((a, i) => {
    // one millisecond apart, so "oldest first" keeps the order in which they were given
    byId.set(a.id, tx.create(CustomerAddress, { id: a.id, tenantId, customerId, ...toAddressColumns(a), createdAt: new Date(now.getTime() + i) }));
  });
  return [...byId.values()];
}

const toAddressColumns = (a: AddressState) => ({
  label: a.label,
  line1: a.line1,
  city: a.city,
  region: a.region,
  postalCode: a.postalCode,
  countryCode: a.countryCode,
  defaultBilling: a.defaultBilling,
  defaultShipping: a.defaultShipping,
});

/** The customer's current answer and a line in its history. */
export function recordConsent(tx: EntityManager, actor: Actor, c: CustomerRow, consent: ConsentState): void {
  c.marketingConsent = consent.granted;
  c.marketingConsentAt = consent.at;
  c.marketingConsentSource = consent.source;
  tx.create(ConsentChange, {
    id: uuidv7(),
    tenantId: actor.tenantId,
    customerId: c.id,
    granted: consent.granted,
    source: consent.source!,
    givenAt: consent.at!,
    recordedAt: new Date(),
    recordedBy: actor.userId,
  });
}
