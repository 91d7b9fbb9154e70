import { calendarDay, loadMany, loadOne, type SubgraphContext } from '@comanda/kit';
import { UUID } from './domain/documents.ts';
import type {
  CashMovementRow,
  EInvoiceRow,
  FiscalRegistrationRow,
  InvoiceRow,
  PrinterRow,
  PrintJobRow,
  ReceiptRow,
  SellerProfileRow,
  ShiftRow,
  StoreSettingRow,
} from './entities.ts';
import {
  cashMovementsByShiftIds,
  einvoicesByInvoiceIds,
  invoicesByCustomerIds,
  invoicesByIds,
  invoicesByOrderIds,
  openShiftsOfStores,
  overdueInvoiceCounts,
  printersByIds,
  printJobsByIds,
  printJobsByReceiptIds,
  receiptsByIds,
  receiptsByOrderIds,
  receiptsIssuedBetween,
  registrationsByReceiptIds,
  sellerProfileOf,
  settingsOfStores,
  shiftsByIds,
} from './services/reads.ts';

/**
 * Every per-parent lookup and __resolveReference goes through a per-request DataLoader, so a
 * page of orders costs the same number of statements as one order. Malformed ids resolve to
 * null (or []) without a query.
 */

export const loadPrinter = (ctx: SubgraphContext, id: string): Promise<PrinterRow | null> =>
  loadOne(
    ctx,
    'printer',
    id,
    (ids) => printersByIds(ctx.em, ids),
    (p) => p.id,
  );

export const loadReceipt = (ctx: SubgraphContext, id: string): Promise<ReceiptRow | null> =>
  loadOne(
    ctx,
    'receipt',
    id,
    (ids) => receiptsByIds(ctx.em, ids),
    (r) => r.id,
  );

export const loadReceiptOfOrder = (ctx: SubgraphContext, orderId: string): Promise<ReceiptRow | null> =>
  loadOne(
    ctx,
    'receipt-of-order',
    orderId,
    (ids) => receiptsByOrderIds(ctx.em, ids),
    (r) => r.orderId,
  );

export const loadInvoice = (ctx: SubgraphContext, id: string): Promise<InvoiceRow | null> =>
  loadOne(
    ctx,
    'invoice',
    id,
    (ids) => invoicesByIds(ctx.em, ids),
    (i) => i.id,
  );

export const loadInvoiceOfOrder = (ctx: SubgraphContext, orderId: string): Promise<InvoiceRow | null> =>
  loadOne(
    ctx,
    'invoice-of-order',
    orderId,
    (ids) => invoicesByOrderIds(ctx.em, ids),
    (i) => i.orderId ?? '',
  );

export const loadInvoicesOfCustomer = (ctx: SubgraphContext, customerId: string): Promise<InvoiceRow[]> =>
  loadMany(
    ctx,
    'invoices-of-customer',
    customerId,
    (ids) => invoicesByCustomerIds(ctx.em, ids),
    (i) => i.customerId,
  );

export const loadPrintJob = (ctx: SubgraphContext, id: string): Promise<PrintJobRow | null> =>
  loadOne(
    ctx,
    'print-job',
    id,
    (ids) => printJobsByIds(ctx.em, ids),
    (j) => j.id,
  );

export const loadPrintJobsOfReceipt = (ctx: SubgraphContext, receiptId: string): Promise<PrintJobRow[]> =>
  loadMany(
    ctx,
    'print-jobs-of-receipt',
    receiptId,
    (ids) => printJobsByReceiptIds(ctx.em, ids),
    (j) => j.receiptId ?? '',
  );

export const loadShift = (ctx: SubgraphContext, id: string): Promise<ShiftRow | null> =>
  loadOne(
    ctx,
    'shift',
    id,
    (ids) => shiftsByIds(ctx.em, ids),
    (s) => s.id,
  );

export const loadOpenShiftOfStore = (ctx: SubgraphContext, storeId: string): Promise<ShiftRow | null> =>
  loadOne(
    ctx,
    'open-shift-of-store',
    storeId,
    (ids) => openShiftsOfStores(ctx.em, ids),
    (s) => s.storeId,
  );

export const loadCashMovementsOfShift = (ctx: SubgraphContext, shiftId: string): Promise<CashMovementRow[]> =>
  loadMany(
    ctx,
    'cash-movements-of-shift',
    shiftId,
    (ids) => cashMovementsByShiftIds(ctx.em, ids),
    (m) => m.shiftId,
  );

export const loadRegistrationOfReceipt = (ctx: SubgraphContext, receiptId: string): Promise<FiscalRegistrationRow | null> =>
  loadOne(
    ctx,
    'registration-of-receipt',
    receiptId,
    (ids) => registrationsByReceiptIds(ctx.em, ids),
    (r) => r.receiptId,
  );

export const loadEInvoice = (ctx: SubgraphContext, invoiceId: string): Promise<EInvoiceRow | null> =>
  loadOne(
    ctx,
    'einvoice',
    invoiceId,
    (ids) => einvoicesByInvoiceIds(ctx.em, ids),
    (e) => e.invoiceId,
  );

export function loadSellerProfile(ctx: SubgraphContext): Promise<SellerProfileRow | null> {
  return sellerProfileOf(ctx.em, ctx.identity.tenantId);
}

export const loadStoreSetting = (ctx: SubgraphContext, storeId: string): Promise<StoreSettingRow | null> =>
  loadOne(
    ctx,
    'store-setting',
    storeId,
    (ids) => settingsOfStores(ctx.em, ids),
    (s) => s.storeId,
  );

/** One query per distinct timezone (stores in one timezone share the day). */
export function loadReceiptsToday(ctx: SubgraphContext, storeId: string, timezone: string): Promise<number> {
  if (!UUID.test(storeId)) return Promise.resolve(0);
  return ctx.loaders
    .get<string, number>('receipts-today', async (keys) => {
      const parsed = keys.map((k) => JSON.parse(k) as [string, string]);
      const counts = new Map<string, number>();
      for (const zone of new Set(parsed.map(([, tz]) => tz))) {
        const storeIds = parsed.filter(([, tz]) => tz === zone).map(([id]) => id);
        const { from, to } = calendarDay(new Date(), zone);
        const perStore = await receiptsIssuedBetween(ctx.em, storeIds, from, to);
        for (const id of storeIds) counts.set(JSON.stringify([id, zone]), perStore.get(id) ?? 0);
      }
      return keys.map((k) => counts.get(k) ?? 0);
    })
    .load(JSON.stringify([storeId.toLowerCase(), timezone]));
}

export function loadOverdueInvoices(ctx: SubgraphContext, storeId: string): Promise<number> {
  if (!UUID.test(storeId)) return Promise.resolve(0);
  return ctx.loaders
    .get<string, number>('overdue-invoices', async (ids) => {
      const counts = await overdueInvoiceCounts(ctx.em, ids, new Date());
      return ids.map((id) => counts.get(id) ?? 0);
    })
    .load(storeId.toLowerCase());
}
