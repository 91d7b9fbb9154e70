import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import type { ConsentSource } from './domain/consent.ts';
import type { CustomerKind, CustomerStatus } from './domain/customer.ts';
import { emailKey, nameKey, phoneKey, taxKey } from './domain/normalize.ts';

type Keyed = { name: string; email: string | null; phone: string | null; taxId: string | null };

export const Customer = defineEntity({
  name: 'Customer',
  tableName: 'customer',
  properties: {
    id: p.uuid().primary(),
    tenantId: p.string(),
    kind: p.string().$type<CustomerKind>(),
    status: p.string().$type<CustomerStatus>(),
    name: p.string(),
    email: p.string().nullable(),
    phone: p.string().nullable(),
    taxId: p.string().nullable(),
    tags: p.array().$type<string[]>(),
    notes: p.string().nullable(),
    marketingConsent: p.boolean(),
    marketingConsentAt: p.datetime().nullable(),
    marketingConsentSource: p.string().$type<ConsentSource>().nullable(),
    /** from the company register (fillFromRegistry): null when never checked */
    vatRegistered: p.boolean().nullable(),
    registryActive: p.boolean().nullable(),
    registryCheckedAt: p.datetime().nullable(),
    mergedIntoId: p.uuid().nullable(),
    mergedAt: p.datetime().nullable(),
    erasedAt: p.datetime().nullable(),
    erasureReason: p.string().nullable(),
    idempotencyKey: p.string().nullable(),
    requestFingerprint: p.string().nullable(),
    // match keys, recomputed on every write so they never drift from the fields (domain/normalize.ts)
    nameKey: p
      .string()
      .onCreate((c: Keyed) => nameKey(c.name))
      .onUpdate((c: Keyed) => nameKey(c.name)),
    emailKey: p
      .string()
      .$type<string | null>()
      .nullable()
      .onCreate((c: Keyed) => emailKey(c.email))
      .onUpdate((c: Keyed) => emailKey(c.email)),
    phoneKey: p
      .string()
      .$type<string | null>()
      .nullable()
      .onCreate((c: Keyed) => phoneKey(c.phone))
      .onUpdate((c: Keyed) => phoneKey(c.phone)),
    taxKey: p
      .string()
      .$type<string | null>()
      .nullable()
      .onCreate((c: Keyed) => taxKey(c.taxId))
      .onUpdate((c: Keyed) => taxKey(c.taxId)),
    createdAt: p.datetime(),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});

export const CustomerAddress = defineEntity({
  name: 'CustomerAddress',
  tableName: 'customer_address',
  properties: {
    id: p.uuid().primary(),
    tenantId: p.string(),
    customerId: p.uuid(),
    label: p.string().nullable(),
    line1: p.string(),
    city: p.string(),
    region: p.string().nullable(),
    postalCode: p.string().nullable(),
    countryCode: p.string(),
    defaultBilling: p.boolean(),
    defaultShipping: p.boolean(),
    createdAt: p.datetime(),
  },
});

/** Every marketing statement a customer made, oldest first: proof of consent (GDPR art. 7). */
export const ConsentChange = defineEntity({
  name: 'ConsentChange',
  tableName: 'marketing_consent_change',
  properties: {
    id: p.uuid().primary(),
    tenantId: p.string(),
    customerId: p.uuid(),
    granted: p.boolean(),
    source: p.string().$type<ConsentSource>(),
    /** when the customer said so */
    givenAt: p.datetime(),
    recordedAt: p.datetime(),
    recordedBy: p.string(),
  },
});

export type CustomerRow = InferEntity<typeof Customer>;
export type AddressRow = InferEntity<typeof CustomerAddress>;
export type ConsentChangeRow = InferEntity<typeof ConsentChange>;
export const entities = [Customer, CustomerAddress, ConsentChange];
