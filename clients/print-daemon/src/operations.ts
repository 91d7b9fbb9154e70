/**
 * The daemon's GraphQL operations: PendingPrintJobs, AcknowledgePrintJob and PrintQueue of
 * the shared contract (../shared/contract/operations.graphql), with the same names and every
 * field the contract selects, plus what the tickets print from: the receipt as issued (lines,
 * discounts, payments, the QR payload), the store's timezone, and a Z report's figures. The
 * receipt's own lines and payments are printed, not the order's: they are the fiscal record,
 * frozen when the receipt was issued.
 */

const MONEY_BY_METHOD = 'method amount { amount } count';

const PRINT_JOB_FIELDS = `
    id status copy attempts createdAt
    receipt {
      id number issuedAt qrPayload
      store { name timezone }
      total { amount currencyCode }
      discountTotal { amount }
      vatBreakdown { rate taxableAmount { amount } taxAmount { amount } }
      lines { name sku quantity unitPrice { amount } vatRate total { amount } discount { amount } }
      payments { method amount { amount } change { amount } }
      order { number lines { quantity variant { name sku } unitPrice { amount } total { amount } } payments { method amount { amount } change { amount } } }
    }
    zReport {
      number generatedAt receiptsCount
      shift { openedAt closedAt store { name timezone } }
      grossSales { amount currencyCode } discounts { amount } refunds { amount } netSales { amount }
      salesByMethod { ${MONEY_BY_METHOD} }
      refundsByMethod { ${MONEY_BY_METHOD} }
      vatBreakdown { rate taxableAmount { amount } taxAmount { amount } }
      openingFloat { amount } cashSales { amount } cashRefunds { amount } cashIn { amount } cashOut { amount }
      expectedCash { amount } countedCash { amount } discrepancy { amount }
    }`;

export const PENDING_PRINT_JOBS = `query PendingPrintJobs($printerId: ID!) {
  pendingPrintJobs(printerId: $printerId) {${PRINT_JOB_FIELDS}
  }
}`;

export const ACKNOWLEDGE_PRINT_JOB = `mutation AcknowledgePrintJob($input: AcknowledgePrintJobInput!) {
  acknowledgePrintJob(input: $input) {
    printJob { id status attempts }
    userErrors { field message code }
  }
}`;

export const PRINT_QUEUE = `subscription PrintQueue($printerId: ID!) {
  printJobQueued(printerId: $printerId) {${PRINT_JOB_FIELDS}
  }
}`;
