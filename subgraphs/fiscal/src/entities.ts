import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import type { ReceiptLine, ReceiptPayment } from './domain/documents.ts';
import type { SubmissionStatus } from './domain/einvoice.ts';
import type { FiscalPath, RegistrationStatus } from './domain/fiscal-path.ts';
import type { EInvoiceStatus, StoredInvoiceStatus } from './domain/invoice.ts';
import type { PrintJobStatus } from './domain/print-job.ts';
import type { ShiftStatus } from './domain/shift.ts';
import type { VatLine } from './domain/vat.ts';
import type { CashMovementKind, ZFigures } from './domain/z-report.ts';
import type { AuthorityMessage } from './einvoice/authority.ts';
import type { EInvoiceKind, EParty } from './einvoice/document.ts';

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
    /** the store's shift open when the receipt was issued, if any */
    shiftId: p.uuid().nullable(),
    /** what discounts took off the sale */
    discountTotal: p.decimal('string'),
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
    /** set on a Z report's job (receiptId is then null) */
    shiftId: p.uuid().nullable(),
    status: p.string().$type<PrintJobStatus>(),
    copy: p.boolean(),
    attempts: p.integer(),
    lastError: p.string().nullable(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
  },
});

/** What fiscal keeps per store: the drawer's currency, the numbering timezone (seeded, or set by an owner). */
export const StoreSetting = defineEntity({
  name: 'StoreSetting',
  tableName: 'store_setting',
  properties: {
    tenantId: p.string().primary(),
    storeId: p.uuid().primary(),
    currency: p.string(),
    timezone: p.string(),
    countryCode: p.string(),
    fiscalPath: p.string().$type<FiscalPath>(),
    fiscalDeviceId: p.string().nullable(),
    updatedAt: p.datetime(),
  },
});

/** A receipt of a FISCAL_DEVICE store on its way through the device (services/fiscal-devices.ts). */
export const FiscalRegistration = defineEntity({
  name: 'FiscalRegistration',
  tableName: 'fiscal_registration',
  properties: {
    receiptId: p.uuid().primary(),
    tenantId: p.string(),
    storeId: p.uuid(),
    deviceId: p.string(),
    status: p.string().$type<RegistrationStatus>(),
    fiscalNumber: p.string().nullable(),
    fiscalCounter: p.integer().nullable(),
    attempts: p.integer(),
    nextAttemptAt: p.datetime(),
    lastError: p.string().nullable(),
    createdAt: p.datetime(),
    registeredAt: p.datetime().nullable(),
    printedAt: p.datetime().nullable(),
  },
});

/** Updated once, OPEN -> CLOSED (a trigger refuses any change after that). */
export const Shift = defineEntity({
  name: 'Shift',
  tableName: 'shift',
  properties: {
    id: p.uuid().primary(),
    tenantId: p.string(),
    storeId: p.uuid(),
    printerId: p.uuid(),
    status: p.string().$type<ShiftStatus>(),
    currency: p.string(),
    openingFloat: p.decimal('string'),
    openedAt: p.datetime(),
    openedBy: p.string(),
    openKey: p.string(),
    openFingerprint: p.string(),
    closedAt: p.datetime().nullable(),
    closedBy: p.string().nullable(),
    closeKey: p.string().nullable(),
    closeFingerprint: p.string().nullable(),
    countedCash: p.decimal('string').nullable(),
    zNumber: p.integer().nullable(),
    zReport: p.json<ZFigures>().nullable(),
  },
});

export const CashMovement = defineEntity({
  name: 'CashMovement',
  tableName: 'cash_movement',
  properties: {
    id: p.uuid().primary(),
    tenantId: p.string(),
    shiftId: p.uuid(),
    kind: p.string().$type<CashMovementKind>(),
    amount: p.decimal('string'),
    reason: p.string(),
    at: p.datetime(),
    createdBy: p.string(),
    idempotencyKey: p.string(),
    requestFingerprint: p.string(),
  },
});

/** What an e-invoice says about the seller, per tenant, and which e-invoicing authority it goes to. */
export const SellerProfile = defineEntity({
  name: 'SellerProfile',
  tableName: 'seller_profile',
  properties: {
    tenantId: p.string().primary(),
    legalName: p.string(),
    vatId: p.string().nullable(),
    companyId: p.string(),
    tradeRegister: p.string().nullable(),
    street: p.string(),
    city: p.string(),
    county: p.string().nullable(),
    postalCode: p.string().nullable(),
    countryCode: p.string(),
    iban: p.string().nullable(),
    authority: p.string(),
    updatedAt: p.datetime(),
  },
});

/** An invoice's e-Factura submission (services/einvoices.ts); its status is mirrored on the invoice. */
export const EInvoice = defineEntity({
  name: 'EInvoice',
  tableName: 'einvoice',
  properties: {
    invoiceId: p.uuid().primary(),
    tenantId: p.string(),
    kind: p.string().$type<EInvoiceKind>(),
    status: p.string().$type<SubmissionStatus>(),
    authority: p.string(),
    sellerCif: p.string(),
    buyer: p.json<EParty>(),
    xml: p.text(),
    queueKey: p.string(),
    queueFingerprint: p.string(),
    deadline: p.string().columnType('date'),
    uploadIndex: p.string().nullable(),
    downloadId: p.string().nullable(),
    attempts: p.integer(),
    nextAttemptAt: p.datetime(),
    lastError: p.string().nullable(),
    messages: p.json<AuthorityMessage[]>(),
    queuedAt: p.datetime(),
    submittedAt: p.datetime().nullable(),
    decidedAt: p.datetime().nullable(),
  },
});

export type PrinterRow = InferEntity<typeof Printer>;
export type SellerProfileRow = InferEntity<typeof SellerProfile>;
export type EInvoiceRow = InferEntity<typeof EInvoice>;
export type StoreSettingRow = InferEntity<typeof StoreSetting>;
export type FiscalRegistrationRow = InferEntity<typeof FiscalRegistration>;
export type ShiftRow = InferEntity<typeof Shift>;
export type CashMovementRow = InferEntity<typeof CashMovement>;
export type ReceiptRow = InferEntity<typeof Receipt>;
export type InvoiceRow = InferEntity<typeof Invoice>;
export type PrintJobRow = InferEntity<typeof PrintJob>;
export const entities = [Printer, Receipt, Invoice, PrintJob, StoreSetting, Shift, CashMovement, FiscalRegistration, SellerProfile, EInvoice];
