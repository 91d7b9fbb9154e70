import { decodeCursor, type EntityManager, pageSize, recordEvent, toConnection } from '@comanda/kit';
import { v7 as uuidv7 } from 'uuid';
import { type NewCustomer, validateNewCustomer } from './domain/customer.ts';
import { Customer, type CustomerRow } from './entities.ts';

export interface CustomerFilter {
  search?: string | null;
  tag?: string | null;
  kind?: 'PERSON' | 'COMPANY' | null;
}

export async function createCustomer(em: EntityManager, tenantId: string, input: NewCustomer): Promise<CustomerRow> {
  const valid = validateNewCustomer(input);
  const customer = em.create(Customer, { id: uuidv7(), tenantId, ...valid, createdAt: new Date() });
  await recordEvent(em, 'customers', {
    aggregateType: 'customer',
    aggregateId: customer.id,
    event: 'created',
    tenantId,
    data: { customerId: customer.id, kind: valid.kind, name: valid.name, taxId: valid.taxId },
  });
  return customer;
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Newest first, keyset-paged on (createdAt, id). */
export async function findCustomers(em: EntityManager, filter: CustomerFilter, first?: number | null, after?: string | null) {
  const limit = pageSize(first);
  const cursor = decodeCursor(after);
  const where: Record<string, unknown>[] = [];
  if (filter.kind) where.push({ kind: filter.kind });
  if (filter.tag) where.push({ tags: { $overlap: [filter.tag.trim().toLowerCase()] } });
  const search = filter.search?.trim();
  if (search) {
    const like = `%${escapeLike(search)}%`;
    where.push({ $or: [{ name: { $ilike: like } }, { email: { $ilike: like } }, { phone: { $ilike: like } }, { taxId: { $ilike: like } }] });
  }
  if (cursor) {
    const [createdAt, id] = cursor as [string, string];
    where.push({ $or: [{ createdAt: { $lt: new Date(createdAt) } }, { createdAt: new Date(createdAt), id: { $lt: id } }] });
  }
  const rows = await em.find(Customer, { $and: where } as never, { orderBy: { createdAt: 'desc', id: 'desc' }, limit: limit + 1 });
  return toConnection(rows, limit, (c) => [c.createdAt.toISOString(), c.id]);
}

export async function customersByIds(em: EntityManager, ids: readonly string[]): Promise<CustomerRow[]> {
  return em.find(Customer, { id: { $in: [...ids] } });
}
