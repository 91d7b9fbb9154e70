/**
 * What fiscal publishes (outbox, one transaction with the change):
 *   receipt.issued              aggregate receipt   a POS sale's receipt, numbered
 *   invoice.issued              aggregate invoice   an order's invoice, numbered; e-invoice status
 *   print_job.queued            aggregate print_job a ticket waits for the store's printer (copy for reprints)
 *   print_job.status_changed    aggregate print_job the daemon (or a person) acknowledged it
 * Amounts are strings with 2 decimals. It consumes nothing yet: the order.confirmed reactions
 * call issueReceipt / issueInvoice (services/) once they are wired.
 */
import { type EntityManager, formatMoney, recordEvent } from '@comanda/kit';
import type { PrintJobStatus } from './domain/print-job.ts';
import type { InvoiceRow, PrintJobRow, ReceiptRow } from './entities.ts';

export const SUBGRAPH = 'fiscal';

export async function publishReceiptIssued(em: EntityManager, receipt: ReceiptRow): Promise<void> {
  await recordEvent(em, SUBGRAPH, {
    aggregateType: 'receipt',
    aggregateId: receipt.id,
    event: 'issued',
    tenantId: receipt.tenantId,
    storeId: receipt.storeId,
    data: {
      receiptId: receipt.id,
      orderId: receipt.orderId,
      storeId: receipt.storeId,
      number: receipt.number,
      currency: receipt.currency,
      total: formatMoney(receipt.total),
      vatBreakdown: receipt.vatBreakdown,
      issuedAt: receipt.issuedAt.toISOString(),
    },
  });
}

export async function publishInvoiceIssued(em: EntityManager, invoice: InvoiceRow): Promise<void> {
  await recordEvent(em, SUBGRAPH, {
    aggregateType: 'invoice',
    aggregateId: invoice.id,
    event: 'issued',
    tenantId: invoice.tenantId,
    storeId: invoice.storeId,
    data: {
      invoiceId: invoice.id,
      orderId: invoice.orderId,
      customerId: invoice.customerId,
      storeId: invoice.storeId,
      number: invoice.number,
      status: invoice.status,
      currency: invoice.currency,
      total: formatMoney(invoice.total),
      vatBreakdown: invoice.vatBreakdown,
      issuedAt: invoice.issuedAt.toISOString(),
      dueDate: invoice.dueDate.toISOString(),
      eInvoiceStatus: invoice.eInvoiceStatus,
    },
  });
}

export async function publishPrintJobQueued(em: EntityManager, job: PrintJobRow): Promise<void> {
  await recordEvent(em, SUBGRAPH, {
    aggregateType: 'print_job',
    aggregateId: job.id,
    event: 'queued',
    tenantId: job.tenantId,
    storeId: job.storeId,
    data: { printJobId: job.id, printerId: job.printerId, receiptId: job.receiptId, storeId: job.storeId, copy: job.copy },
  });
}

export async function publishPrintJobStatusChanged(em: EntityManager, job: PrintJobRow, from: PrintJobStatus): Promise<void> {
  await recordEvent(em, SUBGRAPH, {
    aggregateType: 'print_job',
    aggregateId: job.id,
    event: 'status_changed',
    tenantId: job.tenantId,
    storeId: job.storeId,
    data: {
      printJobId: job.id,
      printerId: job.printerId,
      receiptId: job.receiptId,
      storeId: job.storeId,
      from,
      to: job.status,
      attempts: job.attempts,
      error: job.lastError,
    },
  });
}
