import type { EntityManager } from '@comanda/kit';
import { OPEN_INVOICE_STATUSES } from '../domain/invoice.ts';
import { FINAL_PRINT_JOB_STATUSES } from '../domain/print-job.ts';
import {
  CashMovement,
  type CashMovementRow,
  EInvoice,
  type EInvoiceRow,
  FiscalRegistration,
  type FiscalRegistrationRow,
  Invoice,
  type InvoiceRow,
  Printer,
  type PrinterRow,
  PrintJob,
  type PrintJobRow,
  Receipt,
  type ReceiptRow,
  SellerProfile,
  type SellerProfileRow,
  Shift,
  type ShiftRow,
  StoreSetting,
  type StoreSettingRow,
} from '../entities.ts';

export function printersByIds(em: EntityManager, ids: readonly string[]): Promise<PrinterRow[]> {
  return em.find(Printer, { id: { $in: [...ids] } });
}

export function printersOfStores(em: EntityManager, storeIds: readonly string[]): Promise<PrinterRow[]> {
  return em.find(Printer, { storeId: { $in: [...storeIds] } }, { orderBy: { createdAt: 'asc', id: 'asc' } });
}

export function receiptsByIds(em: EntityManager, ids: readonly string[]): Promise<ReceiptRow[]> {
  return em.find(Receipt, { id: { $in: [...ids] } });
}

export function receiptsByOrderIds(em: EntityManager, orderIds: readonly string[]): Promise<ReceiptRow[]> {
  return em.find(Receipt, { orderId: { $in: [...orderIds] } });
}

export function invoicesByIds(em: EntityManager, ids: readonly string[]): Promise<InvoiceRow[]> {
  return em.find(Invoice, { id: { $in: [...ids] } });
}

export function invoicesByOrderIds(em: EntityManager, orderIds: readonly string[]): Promise<InvoiceRow[]> {
  return em.find(Invoice, { orderId: { $in: [...orderIds] } });
}

/** Newest first. */
export function invoicesByCustomerIds(em: EntityManager, customerIds: readonly string[]): Promise<InvoiceRow[]> {
  return em.find(Invoice, { customerId: { $in: [...customerIds] } }, { orderBy: { issuedAt: 'desc', id: 'desc' } });
}

export function printJobsByIds(em: EntityManager, ids: readonly string[]): Promise<PrintJobRow[]> {
  return em.find(PrintJob, { id: { $in: [...ids] } });
}

/** Oldest first: the original ticket, then the reprints. */
export function printJobsByReceiptIds(em: EntityManager, receiptIds: readonly string[]): Promise<PrintJobRow[]> {
  return em.find(PrintJob, { receiptId: { $in: [...receiptIds] } }, { orderBy: { createdAt: 'asc', id: 'asc' } });
}

/**
 * What a print daemon still has to print, oldest first (uuid v7 ids break ties in creation
 * order); at most 500 at once: the daemon works through them and asks again.
 */
export function pendingPrintJobs(em: EntityManager, printerId: string): Promise<PrintJobRow[]> {
  return em.find(PrintJob, { printerId, status: { $nin: [...FINAL_PRINT_JOB_STATUSES] } }, { orderBy: { createdAt: 'asc', id: 'asc' }, limit: 500 });
}

export function shiftsByIds(em: EntityManager, ids: readonly string[]): Promise<ShiftRow[]> {
  return em.find(Shift, { id: { $in: [...ids] } });
}

export function openShiftsOfStores(em: EntityManager, storeIds: readonly string[]): Promise<ShiftRow[]> {
  return em.find(Shift, { storeId: { $in: [...storeIds] }, status: 'OPEN' });
}

/** Oldest first. */
export function cashMovementsByShiftIds(em: EntityManager, shiftIds: readonly string[]): Promise<CashMovementRow[]> {
  return em.find(CashMovement, { shiftId: { $in: [...shiftIds] } }, { orderBy: { at: 'asc', id: 'asc' } });
}

export function registrationsByReceiptIds(em: EntityManager, receiptIds: readonly string[]): Promise<FiscalRegistrationRow[]> {
  return em.find(FiscalRegistration, { receiptId: { $in: [...receiptIds] } });
}

export function einvoicesByInvoiceIds(em: EntityManager, invoiceIds: readonly string[]): Promise<EInvoiceRow[]> {
  return em.find(EInvoice, { invoiceId: { $in: [...invoiceIds] } });
}

export function sellerProfileOf(em: EntityManager, tenantId: string): Promise<SellerProfileRow | null> {
  return em.findOne(SellerProfile, { tenantId });
}

export function settingsOfStores(em: EntityManager, storeIds: readonly string[]): Promise<StoreSettingRow[]> {
  return em.find(StoreSetting, { storeId: { $in: [...storeIds] } });
}

async function countPerStore(em: EntityManager, sql: string, params: unknown[]): Promise<Map<string, number>> {
  const rows = await em.execute<{ store_id: string; n: string }[]>(sql, params);
  return new Map(rows.map((r) => [r.store_id, Number(r.n)]));
}

export function receiptsIssuedBetween(em: EntityManager, storeIds: readonly string[], from: Date, to: Date): Promise<Map<string, number>> {
  return countPerStore(
    em,
    `select store_id::text as store_id, count(*) as n from receipt
      where store_id in (${storeIds.map(() => '?').join(', ')}) and issued_at >= ? and issued_at < ?
      group by store_id`,
    [...storeIds, from, to],
  );
}

/** The overdue rule of domain/invoice.ts (open and past due), counted in SQL. */
export function overdueInvoiceCounts(em: EntityManager, storeIds: readonly string[], now: Date): Promise<Map<string, number>> {
  return countPerStore(
    em,
    `select store_id::text as store_id, count(*) as n from invoice
      where store_id in (${storeIds.map(() => '?').join(', ')})
        and status in (${OPEN_INVOICE_STATUSES.map(() => '?').join(', ')}) and due_date < ?
      group by store_id`,
    [...storeIds, ...OPEN_INVOICE_STATUSES, now],
  );
}
