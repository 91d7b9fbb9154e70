import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import type { AddressInput, CustomerKind } from './domain/customer.ts';

export const Customer = defineEntity({
  name: 'Customer',
  tableName: 'customer',
  properties: {
    id: p.uuid().primary(),
    tenantId: p.string(),
    kind: p.string().$type<CustomerKind>(),
    name: p.string(),
    email: p.string().nullable(),
    phone: p.string().nullable(),
    taxId: p.string().nullable(),
    tags: p.array().$type<string[]>(),
    address: p.json<AddressInput>().nullable(),
    createdAt: p.datetime(),
  },
});

export type CustomerRow = InferEntity<typeof Customer>;
export const entities = [Customer];
