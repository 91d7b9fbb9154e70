import { DomainError, type EntityManager } from '@comanda/kit';
import { v7 as uuidv7 } from 'uuid';
import { type ReceiptSnapshot, UUID, validateReceiptSnapshot } from '../domain/documents.ts';
import { fiscalYear, formatReceiptNumber, RECEIPT_SERIES } from '../domain/numbering.ts';
import { Printer, type PrinterRow, type PrintJobRow, Receipt, type ReceiptRow } from '../entities.ts';
import { publishReceiptIssued } from '../events.ts';
import { lockOrderDocument, nextSequence, tenantOf } from './common.ts';
import { registerWithDeviceIfRequired } from './fiscal-devices.ts';
import { queuePrintJob } from './print-jobs.ts';
import { lockOpenShiftForSale } from './shifts.ts';

/** The printer a store's receipts go to: its first receipt printer. */
async function receiptPrinterOf(em: EntityManager, storeId: string): Promise<PrinterRow | null> {
  return em.findOne(Printer, { storeId, kind: 'RECEIPT' }, { orderBy: { createdAt: 'asc', id: 'asc' } });
}

/**
 * Issues the receipt of a POS sale: one per order (a second call returns the first receipt),
 * numbered gap-free per store and year, attributed to the store's open shift (if any), and in
 * the same transaction either registered for the store's fiscal device (FISCAL_DEVICE path) or
 * queued as the original ticket for the store's receipt printer. A store without a printer
 * still gets its receipt. Reprints are always the print daemon's non-fiscal COPY.
 */
export async function issueReceipt(em: EntityManager, snapshot: ReceiptSnapshot): Promise<ReceiptRow> {
  const valid = validateReceiptSnapshot(snapshot);
  return em.transactional(async (tx) => {
    const tenantId = tenantOf(tx);
    await lockOrderDocument(tx, 'receipt', tenantId, valid.orderId);
    const existing = await tx.findOne(Receipt, { orderId: valid.orderId });
    if (existing) return existing;

    // before the counter: closeShift locks the shift first too, so the two never wait on each other in a circle
    const shiftId = await lockOpenShiftForSale(tx, valid.storeId);
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
      shiftId,
      discountTotal: valid.discountTotal,
    });
    await tx.flush();
    await publishReceiptIssued(tx, receipt);
    // a fiscal device prints the fiscal ticket itself; otherwise the print daemon prints the receipt
    if (await registerWithDeviceIfRequired(tx, receipt)) return receipt;
    const printer = await receiptPrinterOf(tx, valid.storeId);
    if (printer) await queuePrintJob(tx, printer, { receiptId: receipt.id }, false);
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
    return queuePrintJob(tx, printer, { receiptId: receipt.id }, true);
  });
}
