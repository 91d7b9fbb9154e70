import { type EntityManager, formatMoney } from '@comanda/kit';
import { buildCustomerExport, type ExportedCustomer, type ExportedPurchase } from '../domain/export.ts';
import { Customer, type CustomerRow } from '../entities.ts';
import { consentOf, toAddressState } from './common.ts';
import { addressesByCustomerIds, consentHistoryByCustomerIds } from './reads.ts';

const exported = (c: CustomerRow): ExportedCustomer => ({
  id: c.id,
  kind: c.kind,
  status: c.status,
  name: c.name,
  email: c.email ?? null,
  phone: c.phone ?? null,
  taxId: c.taxId ?? null,
  tags: c.tags,
  notes: c.notes ?? null,
  marketingConsent: consentOf(c),
  registry: c.registryCheckedAt ? { vatRegistered: c.vatRegistered ?? null, active: c.registryActive ?? null, checkedAt: c.registryCheckedAt } : null,
  createdAt: c.createdAt,
  updatedAt: c.updatedAt,
  mergedAt: c.mergedAt ?? null,
  erasedAt: c.erasedAt ?? null,
});

/** What the customer bought, the purchases merged into them included (they were moved over). */
async function purchasesOf(em: EntityManager, customerId: string): Promise<ExportedPurchase[]> {
  const rows = await em.execute<
    { order_id: string; store_id: string; placed_at: Date; total: string; currency: string; cancelled_at: Date | null }[]
  >(
    `select order_id, store_id, placed_at, total::text as total, currency, cancelled_at
       from customer_purchase where customer_id = ? order by placed_at, order_id`,
    [customerId],
  );
  return rows.map((r) => ({
    orderId: r.order_id,
    storeId: r.store_id,
    placedAt: new Date(r.placed_at),
    total: formatMoney(r.total),
    currency: r.currency,
    cancelledAt: r.cancelled_at ? new Date(r.cancelled_at) : null,
  }));
}

/** The export document of a (resolved) customer as JSON text: its record, the records merged into it, addresses, consent history, events, purchases. */
export async function exportCustomerData(em: EntityManager, customer: CustomerRow): Promise<string> {
  const merged = await em.find(Customer, { mergedIntoId: customer.id }, { orderBy: { mergedAt: 'asc', id: 'asc' } });
  const ids = [customer.id, ...merged.map((m) => m.id)];
  const addresses = await addressesByCustomerIds(em, [customer.id]);
  const history = await consentHistoryByCustomerIds(em, ids);
  const events = await em.execute<{ type: string; occurred_at: Date; data: Record<string, unknown> }[]>(
    `select type, occurred_at, data from outbox where aggregate_type = 'customer' and aggregate_id in (${ids.map(() => '?').join(', ')}) order by position`,
    ids,
  );
  const document = buildCustomerExport(
    {
      customer: exported(customer),
      addresses: addresses.map(toAddressState),
      consentHistory: history.map((h) => ({
        granted: h.granted,
        source: h.source,
        at: h.givenAt,
        recordedAt: h.recordedAt,
        recordedBy: h.recordedBy,
      })),
      mergedRecords: merged.map(exported),
      events: events.map((e) => ({ type: e.type, occurredAt: new Date(e.occurred_at), data: e.data })),
      purchases: await purchasesOf(em, customer.id),
    },
    new Date(),
  );
  return JSON.stringify(document);
}
