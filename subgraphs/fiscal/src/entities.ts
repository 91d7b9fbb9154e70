import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import type { ReceiptLine, ReceiptPayment } from './domain/documents.ts';
import type { EInvoiceStatus, StoredInvoiceStatus } from './domain/invoice.ts';
import type { PrintJobStatus } from './domain/print-job.ts';
import type { VatLine } from './domain/vat.ts';

export const Printer = defineEntity({
  name: 'Printer',
  tableName: 'printer',
  properties: {
    id: p.uuid().primary(),
    tenantId: p.string(),
    storeId: p.uuid(),
    name: p.string(),
    kind: p.string().$type<'RECEIPT'>(),
    createdAt: p.datetime(),
  },
});

/** Immutable once written (a trigger refuses updates and deletes): the law keeps receipts as issued. */
export const Receipt = defineEntity({
  name: 'Receipt',
  tableName: 'receipt',
  properties: {
    id: p.uuid().primary(),
    tenantId: p.string(),
    orderId: p.uuid(),
    storeId: p.uuid(),
    series: p.string(),
    year: p.integer(),
    seq: p.integer(),
    number: p.string(),
    currency: p.string(),
    total: p.decimal('string'),
    vatBreakdown: p.json<VatLine[]>(),
    lines: p.json<ReceiptLine[]>(),
    payments: p.json<ReceiptPayment[]>(),
    issuedAt: p.datetime(),
  },
});

/** Number, parties and money are frozen once issued (a trigger enforces it); status moves on. */
export const Invoice = defineEntity({
  name: 'Invoice',
  tableName: 'invoice',
  properties: {
    id: p.uuid().primary(),
    tenantId: p.string(),
    orderId: p.uuid().nullable(),
    customerId: p.uuid(),
    storeId: p.uuid(),
    series: p.string(),
    year: p.integer(),
    seq: p.integer(),
    number: p.string(),
    status: p.string().$type<StoredInvoiceStatus>(),
    currency: p.string(),
    total: p.decimal('string'),
    vatBreakdown: p.json<VatLine[]>(),
    issuedAt: p.datetime(),
    dueDate: p.datetime(),
    eInvoiceStatus: p.string().$type<EInvoiceStatus>(),
    updatedAt: p.datetime(),
  },
});

export const PrintJob = defineEntity({
  name: 'PrintJob',
  tableName: 'print_job',
  properties: {
    id: p.uuid().primary(),
    tenantId: p.string(),
    printerId: p.uuid(),
    /** the printer's store, kept on the job so access checks need no second lookup */
    storeId: p.uuid(),
    receiptId: p.uuid().nullable(),
    status: p.string().$type<PrintJobStatus>(),
    copy: p.boolean(),
    attempts: p.integer(),
    lastError: p.string().nullable(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
  },
});

export type PrinterRow = InferEntity<typeof Printer>;
export type ReceiptRow = InferEntity<typeof Receipt>;
export type InvoiceRow = InferEntity<typeof Invoice>;
export type PrintJobRow = InferEntity<typeof PrintJob>;
export const entities = [Printer, Receipt, Invoice, PrintJob];
