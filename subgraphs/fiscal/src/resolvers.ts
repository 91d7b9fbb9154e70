import {
  canUseStore,
  forbidden,
  liveChannel,
  liveOf,
  livePayload,
  money,
  type Resolvers,
  requireRole,
  requireStore,
  retryOnConflict,
  runMutation,
  STAFF,
  type SubgraphContext,
} from '@comanda/kit';
import { canReadStore, canUsePrinter, isStaff, requireOwnPrinterIfDevice, requirePrinter } from './access.ts';
import { DEFAULT_COUNTRY, DEFAULT_CURRENCY, DEFAULT_TIMEZONE, UUID } from './domain/documents.ts';
import { invoiceStatusAt } from './domain/invoice.ts';
import { receiptQrPayload } from './domain/receipt-qr.ts';
import type { VatLine } from './domain/vat.ts';
import type { MethodTotal } from './domain/z-report.ts';
import type {
  CashMovementRow,
  EInvoiceRow,
  InvoiceRow,
  PrinterRow,
  PrintJobRow,
  ReceiptRow,
  SellerProfileRow,
  ShiftRow,
  StoreSettingRow,
} from './entities.ts';
import {
  loadCashMovementsOfShift,
  loadEInvoice,
  loadInvoice,
  loadInvoiceOfOrder,
  loadInvoicesOfCustomer,
  loadOpenShiftOfStore,
  loadOverdueInvoices,
  loadPrinter,
  loadPrintJob,
  loadPrintJobsOfReceipt,
  loadReceipt,
  loadReceiptOfOrder,
  loadReceiptsToday,
  loadRegistrationOfReceipt,
  loadSellerProfile,
  loadShift,
  loadStoreSetting,
} from './loaders.ts';
import { configureSellerProfile, type PartyInput, queueEInvoice } from './services/einvoices.ts';
import { configureFiscalPath } from './services/fiscal-devices.ts';
import { type AcknowledgeInput, acknowledgePrintJob } from './services/print-jobs.ts';
import { pendingPrintJobs, printersOfStores } from './services/reads.ts';
import { reprintReceipt } from './services/receipts.ts';
import { closeShift, openShift, recordCashMovement } from './services/shifts.ts';

interface StoreMetricsRef {
  storeId: string;
  /** from orders, because receiptsToday @requires it */
  timezone?: string;
}

const STAFF_OR_DEVICE = [...STAFF, 'device' as const];
const WRITERS = ['owner' as const, 'manager' as const, 'cashier' as const];

const vatLines = (lines: VatLine[], currency: string) =>
  lines.map((l) => ({ rate: l.rate, taxableAmount: money(l.taxableAmount, currency), taxAmount: money(l.taxAmount, currency) }));

const methodTotals = (totals: MethodTotal[], currency: string) =>
  totals.map((t) => ({ method: t.method, amount: money(t.amount, currency), count: t.count }));

/** A closed shift's frozen figures as the ZReport type; null while the shift is open. */
function zReportOf(shift: ShiftRow) {
  const z = shift.zReport;
  if (!z || shift.zNumber == null || !shift.closedAt) return null;
  const c = shift.currency;
  return {
    number: shift.zNumber,
    shift,
    salesByMethod: methodTotals(z.salesByMethod, c),
    grossSales: money(z.grossSales, c),
    vatBreakdown: vatLines(z.vatBreakdown, c),
    refunds: money(z.refunds, c),
    refundsByMethod: methodTotals(z.refundsByMethod, c),
    netSales: money(z.netSales, c),
    discounts: money(z.discounts, c),
    receiptsCount: z.receiptsCount,
    openingFloat: money(z.openingFloat, c),
    cashSales: money(z.cashSales, c),
    cashRefunds: money(z.cashRefunds, c),
    cashIn: money(z.cashIn, c),
    cashOut: money(z.cashOut, c),
    expectedCash: money(z.expectedCash, c),
    countedCash: money(z.countedCash, c),
    discrepancy: money(z.discrepancy, c),
    generatedAt: shift.closedAt,
  };
}

const settingView = (storeId: string, s: StoreSettingRow | null) => ({
  store: { id: storeId },
  path: s?.fiscalPath ?? 'PRINT_DAEMON',
  deviceId: s?.fiscalDeviceId ?? null,
  currencyCode: s?.currency ?? DEFAULT_CURRENCY,
  timezone: s?.timezone ?? DEFAULT_TIMEZONE,
  countryCode: s?.countryCode ?? DEFAULT_COUNTRY,
});

const profileView = (p: SellerProfileRow | null) =>
  p && {
    ...p,
    address: { street: p.street, city: p.city, county: p.county ?? null, postalCode: p.postalCode ?? null, countryCode: p.countryCode },
  };

async function readableShift(ctx: SubgraphContext, shift: ShiftRow | null): Promise<ShiftRow | null> {
  return shift && (await canReadStore(ctx, shift.storeId)) ? shift : null;
}

async function readableReceipt(ctx: SubgraphContext, receipt: ReceiptRow | null): Promise<ReceiptRow | null> {
  return receipt && (await canReadStore(ctx, receipt.storeId)) ? receipt : null;
}

/** Invoices are for staff only: a print daemon has no business with them. */
function readableInvoice(ctx: SubgraphContext, invoice: InvoiceRow | null): InvoiceRow | null {
  return invoice && isStaff(ctx) && canUseStore(ctx.identity, invoice.storeId) ? invoice : null;
}

export const resolvers: Resolvers = {
  Query: {
    printers: async (_: unknown, args: { storeId: string }, ctx: SubgraphContext) => {
      requireRole(ctx.identity, ...STAFF_OR_DEVICE);
      requireStore(ctx.identity, args.storeId);
      if (!UUID.test(args.storeId)) return [];
      return (await printersOfStores(ctx.em, [args.storeId.toLowerCase()])).filter((p) => canUsePrinter(ctx, p));
    },
    invoice: async (_: unknown, args: { id: string }, ctx: SubgraphContext) => {
      requireRole(ctx.identity, ...STAFF);
      const invoice = await loadInvoice(ctx, args.id);
      if (invoice) requireStore(ctx.identity, invoice.storeId);
      return invoice;
    },
    receipt: async (_: unknown, args: { id: string }, ctx: SubgraphContext) => {
      requireRole(ctx.identity, ...STAFF_OR_DEVICE);
      const receipt = await loadReceipt(ctx, args.id);
      if (receipt && !(await canReadStore(ctx, receipt.storeId))) throw forbidden("this token may not read that store's receipts");
      return receipt;
    },
    pendingPrintJobs: async (_: unknown, args: { printerId: string }, ctx: SubgraphContext) => {
      requireRole(ctx.identity, ...STAFF_OR_DEVICE);
      requireOwnPrinterIfDevice(ctx, args.printerId);
      const printer = await loadPrinter(ctx, args.printerId);
      if (!printer) return [];
      requirePrinter(ctx, printer);
      return pendingPrintJobs(ctx.em, printer.id);
    },
    currentShift: async (_: unknown, args: { storeId: string }, ctx: SubgraphContext) => {
      requireRole(ctx.identity, ...STAFF);
      requireStore(ctx.identity, args.storeId);
      return loadOpenShiftOfStore(ctx, args.storeId);
    },
    sellerProfile: async (_: unknown, __: unknown, ctx: SubgraphContext) => {
      requireRole(ctx.identity, ...STAFF);
      return profileView(await loadSellerProfile(ctx));
    },
    storeFiscalSetting: async (_: unknown, args: { storeId: string }, ctx: SubgraphContext) => {
      requireRole(ctx.identity, ...STAFF);
      requireStore(ctx.identity, args.storeId);
      return settingView(args.storeId.toLowerCase(), await loadStoreSetting(ctx, args.storeId));
    },
    shift: async (_: unknown, args: { id: string }, ctx: SubgraphContext) => {
      requireRole(ctx.identity, ...STAFF);
      const shift = await loadShift(ctx, args.id);
      if (shift) requireStore(ctx.identity, shift.storeId);
      return shift;
    },
  },
  Mutation: {
    openShift: (_: unknown, args: { input: Parameters<typeof openShift>[2] }, ctx: SubgraphContext) => {
      requireRole(ctx.identity, ...WRITERS);
      return retryOnConflict(() =>
        runMutation(ctx.em, { shift: null }, async (tx) => ({
          shift: await openShift(tx, ctx.identity, args.input, (storeId) => requireStore(ctx.identity, storeId)),
        })),
      );
    },
    recordCashMovement: (_: unknown, args: { input: Parameters<typeof recordCashMovement>[2] }, ctx: SubgraphContext) => {
      requireRole(ctx.identity, ...WRITERS);
      return retryOnConflict(() =>
        runMutation(ctx.em, { shift: null, cashMovement: null }, async (tx) => {
          const { shift, cashMovement } = await recordCashMovement(tx, ctx.identity, args.input, (storeId) => requireStore(ctx.identity, storeId));
          return { shift, cashMovement: { ...cashMovement, currency: shift.currency } };
        }),
      );
    },
    closeShift: (_: unknown, args: { input: Parameters<typeof closeShift>[2] }, ctx: SubgraphContext) => {
      requireRole(ctx.identity, ...WRITERS);
      return retryOnConflict(() =>
        runMutation(ctx.em, { shift: null, printJob: null }, (tx) =>
          closeShift(tx, ctx.identity, args.input, (storeId) => requireStore(ctx.identity, storeId)),
        ),
      );
    },
    queueEInvoice: (_: unknown, args: { input: { invoiceId: string; buyer: PartyInput; idempotencyKey: string } }, ctx: SubgraphContext) => {
      requireRole(ctx.identity, 'owner', 'manager', 'accountant');
      return runMutation(ctx.em, { invoice: null }, async (tx) => ({
        invoice: await queueEInvoice(tx, args.input, (storeId) => requireStore(ctx.identity, storeId)),
      }));
    },
    configureSellerProfile: async (
      _: unknown,
      args: { input: Parameters<typeof configureSellerProfile>[1] & { address: PartyInput['address']; legalName: string } },
      ctx: SubgraphContext,
    ) => {
      requireRole(ctx.identity, 'owner');
      const result = await runMutation(ctx.em, { sellerProfile: null }, async (tx) => ({
        sellerProfile: await configureSellerProfile(tx, { ...args.input, name: args.input.legalName }),
      }));
      return { ...result, sellerProfile: profileView(result.sellerProfile) };
    },
    configureFiscalPath: async (_: unknown, args: { input: { storeId: string; path: string; deviceId?: string | null } }, ctx: SubgraphContext) => {
      requireRole(ctx.identity, 'owner', 'manager');
      const result = await runMutation(ctx.em, { setting: null }, async (tx) => ({
        setting: await configureFiscalPath(tx, args.input, (storeId) => requireStore(ctx.identity, storeId)),
      }));
      return { ...result, setting: result.setting && settingView(result.setting.storeId, result.setting) };
    },
    acknowledgePrintJob: (_: unknown, args: { input: AcknowledgeInput }, ctx: SubgraphContext) => {
      requireRole(ctx.identity, ...WRITERS, 'device');
      return runMutation(ctx.em, { printJob: null }, async (tx) => ({
        printJob: await acknowledgePrintJob(tx, args.input, (job) => requirePrinter(ctx, { id: job.printerId, storeId: job.storeId })),
      }));
    },
    reprintReceipt: (_: unknown, args: { input: { receiptId: string } }, ctx: SubgraphContext) => {
      requireRole(ctx.identity, ...WRITERS);
      return runMutation(ctx.em, { printJob: null }, async (tx) => ({
        printJob: await reprintReceipt(tx, args.input.receiptId, (storeId) => requireStore(ctx.identity, storeId)),
      }));
    },
  },
  Subscription: {
    printJobQueued: {
      subscribe: async (_: unknown, args: { printerId: string }, ctx: SubgraphContext) => {
        requireRole(ctx.identity, ...STAFF_OR_DEVICE);
        requireOwnPrinterIfDevice(ctx, args.printerId);
        const printer = await loadPrinter(ctx, args.printerId);
        if (!printer) throw forbidden(`no printer ${args.printerId} that this token may use`);
        requirePrinter(ctx, printer);
        return liveOf(ctx).subscribe(liveChannel('printJobQueued', ctx.identity.tenantId, printer.id), ctx.identity);
      },
      resolve: livePayload,
    },
  },
  Invoice: {
    __resolveReference: async (ref: { id: string }, ctx: SubgraphContext) => readableInvoice(ctx, await loadInvoice(ctx, ref.id)),
    status: (i: InvoiceRow) => invoiceStatusAt(i.status, i.dueDate, new Date()),
    order: (i: InvoiceRow) => (i.orderId ? { id: i.orderId } : null),
    customer: (i: InvoiceRow) => ({ id: i.customerId }),
    store: (i: InvoiceRow) => ({ id: i.storeId }),
    total: (i: InvoiceRow) => money(i.total, i.currency),
    vatBreakdown: (i: InvoiceRow) => vatLines(i.vatBreakdown, i.currency),
    eInvoice: (i: InvoiceRow, _: unknown, ctx: SubgraphContext) => loadEInvoice(ctx, i.id),
  },
  EInvoice: {
    status: (e: EInvoiceRow) => e.status,
  },
  Receipt: {
    __resolveReference: async (ref: { id: string }, ctx: SubgraphContext) => readableReceipt(ctx, await loadReceipt(ctx, ref.id)),
    order: (r: ReceiptRow) => ({ id: r.orderId }),
    store: (r: ReceiptRow) => ({ id: r.storeId }),
    total: (r: ReceiptRow) => money(r.total, r.currency),
    vatBreakdown: (r: ReceiptRow) => vatLines(r.vatBreakdown, r.currency),
    lines: (r: ReceiptRow) =>
      r.lines.map((l) => ({ ...l, currency: r.currency, unitPrice: money(l.unitPrice, r.currency), total: money(l.total, r.currency) })),
    payments: (r: ReceiptRow) =>
      r.payments.map((p) => ({
        method: p.method,
        amount: money(p.amount, r.currency),
        change: p.change == null ? null : money(p.change, r.currency),
      })),
    qrPayload: (r: ReceiptRow) => receiptQrPayload(r),
    printJobs: (r: ReceiptRow, _: unknown, ctx: SubgraphContext) => loadPrintJobsOfReceipt(ctx, r.id),
    discountTotal: (r: ReceiptRow) => money(r.discountTotal, r.currency),
    shift: (r: ReceiptRow, _: unknown, ctx: SubgraphContext) => (r.shiftId ? loadShift(ctx, r.shiftId) : null),
    fiscalRegistration: (r: ReceiptRow, _: unknown, ctx: SubgraphContext) => loadRegistrationOfReceipt(ctx, r.id),
  },
  ReceiptLine: {
    discount: (l: { discount?: string; currency: string }) => (l.discount ? money(l.discount, l.currency) : null),
  },
  Shift: {
    __resolveReference: async (ref: { id: string }, ctx: SubgraphContext) => readableShift(ctx, await loadShift(ctx, ref.id)),
    store: (s: ShiftRow) => ({ id: s.storeId }),
    printer: (s: ShiftRow, _: unknown, ctx: SubgraphContext) => loadPrinter(ctx, s.printerId),
    openingFloat: (s: ShiftRow) => money(s.openingFloat, s.currency),
    countedCash: (s: ShiftRow) => (s.countedCash == null ? null : money(s.countedCash, s.currency)),
    cashMovements: async (s: ShiftRow, _: unknown, ctx: SubgraphContext) =>
      (await loadCashMovementsOfShift(ctx, s.id)).map((m) => ({ ...m, currency: s.currency })),
    zReport: (s: ShiftRow) => zReportOf(s),
  },
  CashMovement: {
    amount: (m: CashMovementRow & { currency: string }) => money(m.amount, m.currency),
    by: (m: CashMovementRow) => m.createdBy,
  },
  Printer: {
    __resolveReference: async (ref: { id: string }, ctx: SubgraphContext) => {
      const printer = await loadPrinter(ctx, ref.id);
      return printer && canUsePrinter(ctx, printer) ? printer : null;
    },
    store: (p: PrinterRow) => ({ id: p.storeId }),
  },
  PrintJob: {
    __resolveReference: async (ref: { id: string }, ctx: SubgraphContext) => {
      const job = await loadPrintJob(ctx, ref.id);
      return job && canUsePrinter(ctx, { id: job.printerId, storeId: job.storeId }) ? job : null;
    },
    printer: (j: PrintJobRow, _: unknown, ctx: SubgraphContext) => loadPrinter(ctx, j.printerId),
    receipt: (j: PrintJobRow, _: unknown, ctx: SubgraphContext) => (j.receiptId ? loadReceipt(ctx, j.receiptId) : null),
    zReport: async (j: PrintJobRow, _: unknown, ctx: SubgraphContext) => {
      const shift = j.shiftId ? await loadShift(ctx, j.shiftId) : null;
      return shift ? zReportOf(shift) : null;
    },
  },
  Order: {
    invoice: async (order: { id: string }, _: unknown, ctx: SubgraphContext) => {
      requireRole(ctx.identity, ...STAFF);
      return readableInvoice(ctx, await loadInvoiceOfOrder(ctx, order.id));
    },
    receipt: async (order: { id: string }, _: unknown, ctx: SubgraphContext) => {
      requireRole(ctx.identity, ...STAFF_OR_DEVICE);
      return readableReceipt(ctx, await loadReceiptOfOrder(ctx, order.id));
    },
  },
  Customer: {
    invoices: async (customer: { id: string }, _: unknown, ctx: SubgraphContext) => {
      requireRole(ctx.identity, ...STAFF);
      return (await loadInvoicesOfCustomer(ctx, customer.id)).filter((i) => readableInvoice(ctx, i));
    },
  },
  StoreMetrics: {
    receiptsToday: (metrics: StoreMetricsRef, _: unknown, ctx: SubgraphContext) => {
      requireRole(ctx.identity, ...STAFF);
      requireStore(ctx.identity, metrics.storeId);
      if (!metrics.timezone) throw new Error('StoreMetrics.timezone was not provided: receiptsToday must @requires it');
      return loadReceiptsToday(ctx, metrics.storeId, metrics.timezone);
    },
    overdueInvoices: (metrics: StoreMetricsRef, _: unknown, ctx: SubgraphContext) => {
      requireRole(ctx.identity, ...STAFF);
      requireStore(ctx.identity, metrics.storeId);
      return loadOverdueInvoices(ctx, metrics.storeId);
    },
  },
};
