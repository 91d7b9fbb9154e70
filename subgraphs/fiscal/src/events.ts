/**
 * What fiscal publishes (outbox, one transaction with the change):
 *   receipt.issued              aggregate receipt   a POS sale's receipt, numbered
 *   receipt.fiscalized          aggregate receipt   a fiscal device registered it (its fiscal number)
 *   invoice.issued              aggregate invoice   an order's invoice, numbered; e-invoice status
 *   invoice.einvoice_status_changed aggregate invoice its e-Factura moved (queued, submitted, accepted, rejected)
 *   print_job.queued            aggregate print_job a ticket waits for the store's printer (copy for reprints)
 *   print_job.status_changed    aggregate print_job the daemon (or a person) acknowledged it
 *   shift.opened                aggregate shift     a till's drawer opened with a float
 *   shift.cash_movement_recorded aggregate shift    cash put into or taken out of the drawer
 *   shift.closed                aggregate shift     counted, with the frozen Z report
 * Amounts are strings with 2 decimals. What it consumes is in reactions.ts.
 */
import { type EntityManager, formatMoney, recordEvent } from '@comanda/kit';
import type { EInvoiceStatus } from './domain/invoice.ts';
import type { PrintJobStatus } from './domain/print-job.ts';
import type { CashMovementRow, EInvoiceRow, FiscalRegistrationRow, InvoiceRow, PrintJobRow, ReceiptRow, ShiftRow } from './entities.ts';

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
      discountTotal: formatMoney(receipt.discountTotal),
      shiftId: receipt.shiftId,
      issuedAt: receipt.issuedAt.toISOString(),
    },
  });
}

export async function publishReceiptFiscalized(em: EntityManager, receipt: ReceiptRow, registration: FiscalRegistrationRow): Promise<void> {
  await recordEvent(em, SUBGRAPH, {
    aggregateType: 'receipt',
    aggregateId: receipt.id,
    event: 'fiscalized',
    tenantId: receipt.tenantId,
    storeId: receipt.storeId,
    data: {
      receiptId: receipt.id,
      storeId: receipt.storeId,
      number: receipt.number,
      deviceId: registration.deviceId,
      fiscalNumber: registration.fiscalNumber,
      fiscalCounter: registration.fiscalCounter,
      registeredAt: registration.registeredAt?.toISOString() ?? null,
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

export async function publishEInvoiceStatusChanged(
  em: EntityManager,
  invoice: InvoiceRow,
  from: EInvoiceStatus,
  einvoice: EInvoiceRow,
): Promise<void> {
  await recordEvent(em, SUBGRAPH, {
    aggregateType: 'invoice',
    aggregateId: invoice.id,
    event: 'einvoice_status_changed',
    tenantId: invoice.tenantId,
    storeId: invoice.storeId,
    data: {
      invoiceId: invoice.id,
      number: invoice.number,
      storeId: invoice.storeId,
      from,
      to: invoice.eInvoiceStatus,
      authority: einvoice.authority,
      uploadIndex: einvoice.uploadIndex,
      deadline: einvoice.deadline,
      messages: einvoice.messages,
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
    data: { printJobId: job.id, printerId: job.printerId, receiptId: job.receiptId, shiftId: job.shiftId, storeId: job.storeId, copy: job.copy },
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
      shiftId: job.shiftId,
      storeId: job.storeId,
      from,
      to: job.status,
      attempts: job.attempts,
      error: job.lastError,
    },
  });
}

function shiftFacts(shift: ShiftRow) {
  return {
    shiftId: shift.id,
    storeId: shift.storeId,
    printerId: shift.printerId,
    currency: shift.currency,
    openingFloat: formatMoney(shift.openingFloat),
    openedAt: shift.openedAt.toISOString(),
    openedBy: shift.openedBy,
  };
}

export async function publishShiftOpened(em: EntityManager, shift: ShiftRow): Promise<void> {
  await recordEvent(em, SUBGRAPH, {
    aggregateType: 'shift',
    aggregateId: shift.id,
    event: 'opened',
    tenantId: shift.tenantId,
    storeId: shift.storeId,
    data: shiftFacts(shift),
  });
}

export async function publishCashMovementRecorded(em: EntityManager, shift: ShiftRow, movement: CashMovementRow): Promise<void> {
  await recordEvent(em, SUBGRAPH, {
    aggregateType: 'shift',
    aggregateId: shift.id,
    event: 'cash_movement_recorded',
    tenantId: shift.tenantId,
    storeId: shift.storeId,
    data: {
      shiftId: shift.id,
      storeId: shift.storeId,
      cashMovementId: movement.id,
      kind: movement.kind,
      amount: formatMoney(movement.amount),
      currency: shift.currency,
      reason: movement.reason,
      at: movement.at.toISOString(),
      by: movement.createdBy,
    },
  });
}

/** The whole Z report travels with the close: accounting books the day from it. */
export async function publishShiftClosed(em: EntityManager, shift: ShiftRow): Promise<void> {
  await recordEvent(em, SUBGRAPH, {
    aggregateType: 'shift',
    aggregateId: shift.id,
    event: 'closed',
    tenantId: shift.tenantId,
    storeId: shift.storeId,
    data: {
      ...shiftFacts(shift),
      closedAt: shift.closedAt?.toISOString() ?? null,
      closedBy: shift.closedBy,
      zNumber: shift.zNumber,
      zReport: shift.zReport,
    },
  });
}
