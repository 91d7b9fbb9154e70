/** A print job as the gateway sends it, for tests that need one without a stack. */
import type { PrintJob } from '../../src/job.ts';

export function sampleJob(overrides: Partial<PrintJob> = {}): PrintJob {
  return {
    id: '0190b6a2-0000-7000-8000-000000000001',
    status: 'QUEUED',
    copy: false,
    attempts: 0,
    createdAt: '2025-03-14T09:15:02.000Z',
    receipt: {
      id: '0190b6a2-0000-7000-8000-0000000000aa',
      number: 'BF-2025-000042',
      issuedAt: '2025-03-14T09:15:02.000Z',
      qrPayload: 'CMR1|0190b6a2-0000-7000-8000-0000000000bb|BF-2025-000042|20250314T091502Z|199.40|RON',
      store: { name: 'Comanda Demo București', timezone: 'Europe/Bucharest' },
      total: { amount: '199.40', currencyCode: 'RON' },
      discountTotal: { amount: '4.00' },
      vatBreakdown: [
        { rate: '11', taxableAmount: { amount: '147.21' }, taxAmount: { amount: '16.19' } },
        { rate: '21', taxableAmount: { amount: '29.75' }, taxAmount: { amount: '6.25' } },
      ],
      lines: [
        {
          name: 'Espresso beans 1kg',
          sku: 'ESP-1KG',
          quantity: '1',
          unitPrice: { amount: '89.90' },
          vatRate: '11',
          total: { amount: '89.90' },
          discount: null,
        },
        {
          name: 'Cafea măcinată Țară',
          sku: 'GRD-250',
          quantity: '2.000',
          unitPrice: { amount: '36.75' },
          vatRate: '11',
          total: { amount: '73.50' },
          discount: { amount: '0.00' },
        },
        {
          name: 'Mug',
          sku: 'MUG',
          quantity: '1',
          unitPrice: { amount: '40.00' },
          vatRate: '21',
          total: { amount: '36.00' },
          discount: { amount: '4.00' },
        },
      ],
      payments: [
        { method: 'CARD', amount: { amount: '100.00' }, change: null },
        { method: 'CASH', amount: { amount: '150.00' }, change: { amount: '50.60' } },
      ],
      order: { number: 'B-000042' },
    },
    ...overrides,
  };
}

/** A closed shift's Z report job (receipt null). */
export function zReportJob(): PrintJob {
  return {
    id: '0190b6a2-0000-7000-8000-00000000002a',
    status: 'QUEUED',
    copy: false,
    attempts: 0,
    createdAt: '2025-03-14T18:00:00.000Z',
    receipt: null,
    zReport: {
      number: 7,
      generatedAt: '2025-03-14T18:00:00.000Z',
      receiptsCount: 3,
      shift: {
        openedAt: '2025-03-14T06:00:00.000Z',
        closedAt: '2025-03-14T18:00:00.000Z',
        store: { name: 'Comanda Demo București', timezone: 'Europe/Bucharest' },
      },
      grossSales: { amount: '300.00', currencyCode: 'RON' },
      discounts: { amount: '4.00' },
      refunds: { amount: '20.00' },
      netSales: { amount: '280.00' },
      salesByMethod: [
        { method: 'CASH', amount: { amount: '120.00' }, count: 2 },
        { method: 'CARD', amount: { amount: '180.00' }, count: 1 },
      ],
      refundsByMethod: [{ method: 'CASH', amount: { amount: '20.00' }, count: 1 }],
      vatBreakdown: [{ rate: '21', taxableAmount: { amount: '247.93' }, taxAmount: { amount: '52.07' } }],
      openingFloat: { amount: '200.00' },
      cashSales: { amount: '120.00' },
      cashRefunds: { amount: '20.00' },
      cashIn: { amount: '50.00' },
      cashOut: { amount: '100.00' },
      expectedCash: { amount: '250.00' },
      countedCash: { amount: '245.50' },
      discrepancy: { amount: '-4.50' },
    },
  };
}
