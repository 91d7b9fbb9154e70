import type { AddressState } from './addresses.ts';

/** Everything the customers subgraph holds about one person, as read for an export. */
export interface ExportSource {
  customer: ExportedCustomer;
  addresses: AddressState[];
  consentHistory: { granted: boolean; source: string; at: Date; recordedAt: Date; recordedBy: string }[];
  /** customers merged into this one: their own records are about the same person */
  mergedRecords: ExportedCustomer[];
  /** the events this subgraph published about them */
  events: { type: string; occurredAt: Date; data: Record<string, unknown> }[];
  /** the orders this subgraph learned they placed (behind Customer.stats), oldest first */
  purchases: ExportedPurchase[];
}

export interface ExportedPurchase {
  orderId: string;
  storeId: string;
  placedAt: Date;
  total: string;
  currency: string;
  cancelledAt: Date | null;
}

export interface ExportedCustomer {
  id: string;
  kind: string;
  status: string;
  name: string;
  email: string | null;
  phone: string | null;
  taxId: string | null;
  tags: string[];
  notes: string | null;
  marketingConsent: { granted: boolean; at: Date | null; source: string | null };
  registry: { vatRegistered: boolean | null; active: boolean | null; checkedAt: Date | null } | null;
  createdAt: Date;
  updatedAt: Date;
  mergedAt: Date | null;
  erasedAt: Date | null;
}

export const EXPORT_FORMAT = 'comanda.customers.export.v1';

/**
 * Pure: the export document (GDPR art. 15 and 20: access and portability), in a stable,
 * self-describing shape. It names what other services hold so the person knows where to ask.
 */
export function buildCustomerExport(source: ExportSource, exportedAt: Date) {
  return {
    format: EXPORT_FORMAT,
    exportedAt: exportedAt.toISOString(),
    controllerNote:
      'This is what the customer register holds, with the orders it learned the customer placed (ids, stores, times, totals). ' +
      'Orders, payments, invoices, receipts, shipments and credit records are kept by their own services; ' +
      'fiscal documents are kept as the law requires.',
    customer: source.customer,
    addresses: source.addresses.map(({ id, label, line1, city, region, postalCode, countryCode, defaultBilling, defaultShipping }) => ({
      id,
      label,
      line1,
      city,
      region,
      postalCode,
      countryCode,
      defaultBilling,
      defaultShipping,
    })),
    marketingConsentHistory: source.consentHistory,
    mergedRecords: source.mergedRecords,
    events: source.events,
    purchases: source.purchases,
  };
}
