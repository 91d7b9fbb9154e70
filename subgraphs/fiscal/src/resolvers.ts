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
  runMutation,
  STAFF,
  type SubgraphContext,
} from '@comanda/kit';
import { canReadStore, canUsePrinter, isStaff, requireOwnPrinterIfDevice, requirePrinter } from './access.ts';
import { UUID } from './domain/documents.ts';
import { invoiceStatusAt } from './domain/invoice.ts';
import type { VatLine } from './domain/vat.ts';
import type { InvoiceRow, PrinterRow, PrintJobRow, ReceiptRow } from './entities.ts';
import {
  loadInvoice,
  loadInvoiceOfOrder,
  loadInvoicesOfCustomer,
  loadOverdueInvoices,
  loadPrinter,
  loadPrintJob,
  loadPrintJobsOfReceipt,
  loadReceipt,
  loadReceiptOfOrder,
  loadReceiptsToday,
} from './loaders.ts';
import { type AcknowledgeInput, acknowledgePrintJob } from './services/print-jobs.ts';
import { pendingPrintJobs, printersOfStores } from './services/reads.ts';
import { reprintReceipt } from './services/receipts.ts';

interface StoreMetricsRef {
  storeId: string;
  /** from orders, because receiptsToday @requires it */
  timezone?: string;
}

const STAFF_OR_DEVICE = [...STAFF, 'device' as const];
const WRITERS = ['owner' as const, 'manager' as const, 'cashier' as const];

const vatLines = (lines: VatLine[], currency: string) =>
  lines.map((l) => ({ rate: l.rate, taxableAmount: money(l.taxableAmount, currency), taxAmount: money(l.taxAmount, currency) }));

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
  },
  Mutation: {
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
  },
  Receipt: {
    __resolveReference: async (ref: { id: string }, ctx: SubgraphContext) => readableReceipt(ctx, await loadReceipt(ctx, ref.id)),
    order: (r: ReceiptRow) => ({ id: r.orderId }),
    store: (r: ReceiptRow) => ({ id: r.storeId }),
    total: (r: ReceiptRow) => money(r.total, r.currency),
    vatBreakdown: (r: ReceiptRow) => vatLines(r.vatBreakdown, r.currency),
    lines: (r: ReceiptRow) => r.lines.map((l) => ({ ...l, unitPrice: money(l.unitPrice, r.currency), total: money(l.total, r.currency) })),
    payments: (r: ReceiptRow) =>
      r.payments.map((p) => ({
        method: p.method,
        amount: money(p.amount, r.currency),
        change: p.change == null ? null : money(p.change, r.currency),
      })),
    printJobs: (r: ReceiptRow, _: unknown, ctx: SubgraphContext) => loadPrintJobsOfReceipt(ctx, r.id),
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
