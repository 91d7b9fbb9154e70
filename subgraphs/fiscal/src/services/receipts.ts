import { DomainError, type EntityManager } from '@comanda/kit';
import { v7 as uuidv7 } from 'uuid';
import { type ReceiptSnapshot, UUID, validateReceiptSnapshot } from '../domain/documents.ts';
import { fiscalYear, formatReceiptNumber, RECEIPT_SERIES } from '../domain/numbering.ts';
import { Printer, type PrinterRow, PrintJob, type PrintJobRow, Receipt, type ReceiptRow } from '../entities.ts';
import { publishPrintJobQueued, publishReceiptIssued } from '../events.ts';
import { lockOrderDocument, nextSequence, tenantOf } from './common.ts';

/** The printer a store's receipts go to: its first receipt printer. */
async function receiptPrinterOf(em: EntityManager, storeId: string): Promise<PrinterRow | null> {
  return em.findOne(Printer, { storeId, kind: 'RECEIPT' }, { orderBy: { createdAt: 'asc', id: 'asc' } });
}

async function queuePrintJob(em: EntityManager, printer: PrinterRow, receipt: ReceiptRow, copy: boolean): Promise<PrintJobRow> {
  const now = new Date();
  const job = em.create(PrintJob, {
    id: uuidv7(),
    tenantId: receipt.tenantId,
    printerId: printer.id,
    storeId: printer.storeId,
    receiptId: receipt.id,
    status: 'QUEUED',
    copy,
    attempts: 0,
    lastError: null,
    createdAt: now,
    updatedAt: now,
  });
  await em.flush();
  await publishPrintJobQueued(em, job);
  return job;
}

/**
 * Issues the receipt of a POS sale: one per order (a second call returns the first receipt),
 * numbered gap-free per store and year, and queues the original ticket for the store's receipt
 * printer in the same transaction. A store without a printer still gets its receipt.
 */
export async function issueReceipt(em: EntityManager, snapshot: ReceiptSnapshot): Promise<ReceiptRow> {
  const valid = validateReceiptSnapshot(snapshot);
  return em.transactional(async (tx) => {
    const tenantId = tenantOf(tx);
    await lockOrderDocument(tx, 'receipt', tenantId, valid.orderId);
    const existing = await tx.findOne(Receipt, { orderId: valid.orderId });
    if (existing) return existing;

    const year = fiscalYear(valid.issuedAt, valid.timezone);
    const seq = await nextSequence(tx, tenantId, valid.storeId, RECEIPT_SERIES, year);
    const receipt = tx.create(Receipt, {
      id: uuidv7(),
      tenantId,
      orderId: valid.orderId,
      storeId: valid.storeId,
      series: RECEIPT_SERIES,
      year,
      seq,
      number: formatReceiptNumber(RECEIPT_SERIES, year, seq),
      currency: valid.currency,
      total: valid.total,
      vatBreakdown: valid.vatBreakdown,
      lines: valid.lines,
      payments: valid.payments,
      issuedAt: valid.issuedAt,
    });
    await tx.flush();
    await publishReceiptIssued(tx, receipt);
    const printer = await receiptPrinterOf(tx, valid.storeId);
    if (printer) await queuePrintJob(tx, printer, receipt, false);
    return receipt;
  });
}

/**
 * A reprint is a new job marked copy (the ticket says COPY); the original job stays as it was.
 * `authorize` sees the receipt's store before anything is written.
 */
export async function reprintReceipt(em: EntityManager, receiptId: string, authorize: (storeId: string) => void = () => {}): Promise<PrintJobRow> {
  return em.transactional(async (tx) => {
    const receipt = UUID.test(receiptId) ? await tx.findOne(Receipt, { id: receiptId }) : null;
    if (!receipt) throw new DomainError('RECEIPT_NOT_FOUND', 'there is no such receipt', ['input', 'receiptId']);
    authorize(receipt.storeId);
    const printer = await receiptPrinterOf(tx, receipt.storeId);
    if (!printer) throw new DomainError('NO_RECEIPT_PRINTER', "the receipt's store has no receipt printer", ['input', 'receiptId']);
    return queuePrintJob(tx, printer, receipt, true);
  });
}
