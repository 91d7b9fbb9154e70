/**
 * Every operation the POS sends. The contract's operations (../shared/contract/operations.graphql)
 * by name where the POS needs exactly them; the rest select what the screens show.
 */

export const MY_STORES = `query MyStores { stores { id name currencyCode countryCode timezone pricesIncludeVat } }`;

export const STORE_PRINTERS = `query StorePrinters($storeId: ID!) { printers(storeId: $storeId) { id name store { id } } }`;

export const STORE_CATALOG = `query StoreCatalog($storeId: ID!, $first: Int, $after: String, $search: String) {
  products(storeId: $storeId, first: $first, after: $after, search: $search) {
    nodes { id name variants { id sku barcode name vatRate price { amount currencyCode } stockOnHand priceTiers { minQuantity unitPrice } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

export const SCAN_BARCODE = `query ScanBarcode($storeId: ID!, $barcode: String!) {
  variantByBarcode(storeId: $storeId, barcode: $barcode) {
    id sku barcode name vatRate price { amount currencyCode } stockOnHand priceTiers { minQuantity unitPrice } product { name }
  }
}`;

export const PROMOTION_BY_CODE = `query PromotionByCode($code: String!) {
  promotionByCode(code: $code) {
    code name kind value minOrderAmount maxDiscount validFrom validUntil usageLimit timesUsed stackable active
  }
}`;

export const FIND_CUSTOMERS = `query FindCustomers($search: String, $first: Int) {
  customers(first: $first, filter: { search: $search }) {
    nodes { id kind name email phone taxId tags creditProfile { riskTier available { amount currencyCode } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

export const CREATE_CUSTOMER = `mutation CreateCustomer($input: CreateCustomerInput!) {
  createCustomer(input: $input) {
    customer { id kind name email phone taxId tags }
    userErrors { field message code }
  }
}`;

export const PLACE_ORDER = `mutation PlaceOrder($input: PlaceOrderInput!) {
  placeOrder(input: $input) {
    replayed
    order {
      id number clientOrderId status channel createdAt
      subtotal { amount currencyCode }
      discountTotal { amount currencyCode }
      taxTotal { amount currencyCode }
      total { amount currencyCode }
      lines { id quantity vatRate unitPrice { amount } discount { amount } total { amount } variant { id sku name } }
    }
    userErrors { field message code }
    notices { field message code }
  }
}`;

export const RECORD_PAYMENT = `mutation RecordPayment($input: RecordPaymentInput!) {
  recordPayment(input: $input) {
    replayed
    payment { id method state amount { amount currencyCode } change { amount } }
    userErrors { field message code }
  }
}`;

export const ORDER_RECEIPT = `query OrderReceipt($id: ID!) {
  order(id: $id) {
    id number status paymentStatus
    receipt {
      id number issuedAt
      total { amount currencyCode }
      vatBreakdown { rate taxableAmount { amount } taxAmount { amount } }
      payments { method amount { amount } change { amount } }
      printJobs { id status copy printer { id name } }
    }
  }
}`;

export const REPRINT_RECEIPT = `mutation ReprintReceipt($input: ReprintReceiptInput!) {
  reprintReceipt(input: $input) {
    printJob { id status copy createdAt }
    userErrors { field message code }
  }
}`;

const BOARD_ORDER = `id number status createdAt total { amount currencyCode } customer { name } paymentStatus amountPaid { amount } fulfillmentStatus receipt { number }`;

export const STORE_ORDERS = `query StoreOrders($storeId: ID!, $first: Int, $after: String, $filter: OrderFilter) {
  orders(storeId: $storeId, first: $first, after: $after, filter: $filter) {
    nodes { ${BOARD_ORDER} }
    pageInfo { hasNextPage endCursor }
  }
}`;

export const ORDER_BOARD = `subscription OrderBoard($storeId: ID!) {
  orderChanged(storeId: $storeId) { type at order { ${BOARD_ORDER} } }
}`;

const METRICS = `storeId currencyCode timezone ordersToday salesToday { amount currencyCode } openOrders
  collectedToday { amount } receiptsToday overdueInvoices shipmentsInTransit creditExposure { amount }`;

export const STORE_DASHBOARD = `query StoreDashboard($storeId: ID!) { storeMetrics(storeId: $storeId) { ${METRICS} } }`;

export const LIVE_DASHBOARD = `subscription LiveDashboard($storeId: ID!) { storeMetricsChanged(storeId: $storeId) { ${METRICS} } }`;

const SHIFT = `id status openedAt closedAt openedBy closedBy openingFloat { amount currencyCode }
  printer { id name }
  cashMovements { id kind amount { amount } reason at by }
  countedCash { amount }`;

const Z_REPORT = `number generatedAt receiptsCount
  salesByMethod { method amount { amount } count }
  grossSales { amount currencyCode } netSales { amount } discounts { amount }
  vatBreakdown { rate taxableAmount { amount } taxAmount { amount } }
  refunds { amount } refundsByMethod { method amount { amount } count }
  openingFloat { amount } cashSales { amount } cashRefunds { amount } cashIn { amount } cashOut { amount }
  expectedCash { amount } countedCash { amount } discrepancy { amount }`;

export const CURRENT_SHIFT = `query CurrentShift($storeId: ID!) { currentShift(storeId: $storeId) { ${SHIFT} } }`;

export const OPEN_SHIFT = `mutation OpenShift($input: OpenShiftInput!) {
  openShift(input: $input) { shift { ${SHIFT} } userErrors { field message code } }
}`;

export const RECORD_CASH_MOVEMENT = `mutation RecordCashMovement($input: RecordCashMovementInput!) {
  recordCashMovement(input: $input) { shift { ${SHIFT} } userErrors { field message code } }
}`;

export const CLOSE_SHIFT = `mutation CloseShift($input: CloseShiftInput!) {
  closeShift(input: $input) {
    shift { ${SHIFT} zReport { ${Z_REPORT} } }
    printJob { id status }
    userErrors { field message code }
  }
}`;
