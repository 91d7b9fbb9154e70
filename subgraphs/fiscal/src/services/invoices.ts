import type { EntityManager } from '@comanda/kit';
import { v7 as uuidv7 } from 'uuid';
import { type InvoiceRequest, validateInvoiceRequest } from '../domain/documents.ts';
import { eInvoiceStatusFor } from '../domain/invoice.ts';
import { fiscalYear, formatInvoiceNumber, INVOICE_SERIES } from '../domain/numbering.ts';
import { Invoice, type InvoiceRow } from '../entities.ts';
import { publishInvoiceIssued } from '../events.ts';
import { lockOrderDocument, nextSequence, TENANT_SCOPE, tenantOf } from './common.ts';

/**
 * Issues an order's invoice: at most one per order (a second call returns the first), numbered
 * gap-free in series CMD per year inside this transaction, immutable from here on. Romanian
 * B2B invoices start their e-Factura life as DRAFT; others do not need one.
 */
export async function issueInvoice(em: EntityManager, request: InvoiceRequest): Promise<InvoiceRow> {
  const valid = validateInvoiceRequest(request);
  return em.transactional(async (tx) => {
    const tenantId = tenantOf(tx);
    if (valid.orderId) {
      await lockOrderDocument(tx, 'invoice', tenantId, valid.orderId);
      const existing = await tx.findOne(Invoice, { orderId: valid.orderId });
      if (existing) return existing;
    }
    const year = fiscalYear(valid.issuedAt, valid.timezone);
    const seq = await nextSequence(tx, tenantId, TENANT_SCOPE, INVOICE_SERIES, year);
    const invoice = tx.create(Invoice, {
      id: uuidv7(),
      tenantId,
      orderId: valid.orderId,
      customerId: valid.customerId,
      storeId: valid.storeId,
      series: INVOICE_SERIES,
      year,
      seq,
      number: formatInvoiceNumber(INVOICE_SERIES, seq),
      status: 'ISSUED',
      currency: valid.currency,
      total: valid.total,
      vatBreakdown: valid.vatBreakdown,
      issuedAt: valid.issuedAt,
      dueDate: valid.dueDate,
      eInvoiceStatus: eInvoiceStatusFor(valid.countryCode, valid.buyerKind),
      updatedAt: valid.issuedAt,
    });
    await tx.flush();
    await publishInvoiceIssued(tx, invoice);
    return invoice;
  });
}
