/**
 * placeOrder's rules without I/O: input validation, which price wins, and how a retried
 * request under the same clientOrderId is told apart from a conflicting one.
 */
import { Decimal, DomainError, type UserError, UUID, userError } from '@comanda/kit';

export const ORDER_CHANNELS = ['POS', 'WEB', 'MOBILE', 'MARKETPLACE', 'B2B'] as const;
export type OrderChannel = (typeof ORDER_CHANNELS)[number];

export interface OrderLineInput {
  variantId: string;
  quantity: string;
  unitPrice?: string | null;
}

export interface PlaceOrderInput {
  storeId: string;
  clientOrderId: string;
  channel: OrderChannel;
  customerId?: string | null;
  lines: OrderLineInput[];
  promotionCodes?: string[] | null;
  payOnAccount?: boolean | null;
  note?: string | null;
}

export interface RequestedLine {
  variantId: string;
  quantity: Decimal;
  /** what the client showed, if it said */
  clientUnitPrice: Decimal | null;
}

/** A validated, normalized request: what the fingerprint and the pricing work on. */
export interface OrderRequest {
  storeId: string;
  clientOrderId: string;
  channel: OrderChannel;
  customerId: string | null;
  lines: RequestedLine[];
  promotionCodes: string[];
  payOnAccount: boolean;
  note: string | null;
}

export { UUID };
export const MAX_LINES = 500;
const MAX_QUANTITY = new Decimal(1_000_000);
const MAX_UNIT_PRICE = new Decimal(1_000_000_000);
const MAX_NOTE = 1000;
const MAX_CLIENT_ORDER_ID = 100;

/** Checks the request's shape and returns it normalized, or every problem at once. */
export function validateOrderRequest(input: PlaceOrderInput): OrderRequest {
  const errors: UserError[] = [];
  const clientOrderId = input.clientOrderId.trim();
  if (!clientOrderId || clientOrderId.length > MAX_CLIENT_ORDER_ID) {
    errors.push(userError('INVALID_CLIENT_ORDER_ID', `clientOrderId is 1 to ${MAX_CLIENT_ORDER_ID} characters`, ['input', 'clientOrderId']));
  }
  if (input.lines.length === 0) errors.push(userError('EMPTY_LINES', 'an order needs at least one line', ['input', 'lines']));
  if (input.lines.length > MAX_LINES) errors.push(userError('TOO_MANY_LINES', `an order has at most ${MAX_LINES} lines`, ['input', 'lines']));

  const lines: RequestedLine[] = input.lines.map((line, i) => {
    const field = (name: string) => ['input', 'lines', String(i), name];
    if (!UUID.test(line.variantId)) errors.push(userError('UNKNOWN_VARIANT', `no product variant ${line.variantId}`, field('variantId')));
    const quantity = new Decimal(line.quantity);
    if (quantity.lte(0) || quantity.gt(MAX_QUANTITY) || quantity.decimalPlaces() > 3) {
      errors.push(userError('INVALID_QUANTITY', 'quantity is more than 0, at most 1000000, with at most 3 decimals', field('quantity')));
    }
    const clientUnitPrice = line.unitPrice === null || line.unitPrice === undefined ? null : new Decimal(line.unitPrice);
    if (clientUnitPrice && (clientUnitPrice.isNegative() || clientUnitPrice.gt(MAX_UNIT_PRICE) || clientUnitPrice.decimalPlaces() > 4)) {
      errors.push(userError('INVALID_PRICE', 'unitPrice is between 0 and 1000000000 with at most 4 decimals', field('unitPrice')));
    }
    return { variantId: line.variantId.toLowerCase(), quantity, clientUnitPrice };
  });

  const promotionCodes = [...new Set((input.promotionCodes ?? []).map((c) => c.trim().toUpperCase()).filter(Boolean))];
  // Promotions are a later issue: until then no code exists, and silently ignoring one would charge a price the customer was not promised.
  promotionCodes.forEach((code, i) => {
    errors.push(userError('UNKNOWN_PROMOTION', `no promotion ${code}`, ['input', 'promotionCodes', String(i)]));
  });

  const customerId = input.customerId?.trim().toLowerCase() || null;
  if (customerId && !UUID.test(customerId)) errors.push(userError('UNKNOWN_CUSTOMER', `no customer ${customerId}`, ['input', 'customerId']));
  const payOnAccount = input.payOnAccount === true;
  if (payOnAccount && !customerId) errors.push(userError('CUSTOMER_REQUIRED', 'paying on account needs a customer', ['input', 'customerId']));

  const note = input.note?.trim() || null;
  if (note && note.length > MAX_NOTE) errors.push(userError('NOTE_TOO_LONG', `a note has at most ${MAX_NOTE} characters`, ['input', 'note']));

  if (errors.length) throw DomainError.many(errors);
  return { storeId: input.storeId.toLowerCase(), clientOrderId, channel: input.channel, customerId, lines, promotionCodes, payOnAccount, note };
}

/** What identifies "the same request": decimals normalized so "2" and "2.000" agree. */
export function fingerprintBody(request: OrderRequest): Record<string, unknown> {
  return {
    storeId: request.storeId,
    channel: request.channel,
    customerId: request.customerId,
    payOnAccount: request.payOnAccount,
    note: request.note,
    promotionCodes: request.promotionCodes,
    lines: request.lines.map((l) => ({ variantId: l.variantId, quantity: l.quantity.toFixed(), unitPrice: l.clientUnitPrice?.toFixed() ?? null })),
  };
}

export type ReplayDecision = 'create' | 'replay' | 'conflict';

export function replayDecision(existingFingerprint: string | null, requestFingerprint: string): ReplayDecision {
  if (existingFingerprint === null) return 'create';
  return existingFingerprint === requestFingerprint ? 'replay' : 'conflict';
}

export interface CatalogVariant {
  id: string;
  sku: string;
  name: string;
  price: string;
  vatRate: string;
}

export interface PricedLine {
  variant: CatalogVariant;
  quantity: Decimal;
  unitPrice: Decimal;
}

export interface PriceOverride {
  line: number;
  variantId: string;
  sku: string;
  listPrice: string;
  unitPrice: string;
}

export interface PricedOrder {
  lines: PricedLine[];
  /** manager overrides at the till: recorded on the order's first event */
  overrides: PriceOverride[];
  /** server prices that replaced the client's on other channels: reported, not fatal */
  notices: UserError[];
}

/**
 * The server's price list wins. At the till (POS) a different client price is an error the
 * cashier must resolve, unless a manager or owner is placing the order: then it is a
 * deliberate override and stands. Other channels get the server price and a notice.
 */
export function priceLines(
  request: Pick<OrderRequest, 'channel' | 'lines'>,
  variants: ReadonlyMap<string, CatalogVariant>,
  options: { mayOverridePrice: boolean },
): PricedOrder {
  const errors: UserError[] = [];
  const notices: UserError[] = [];
  const overrides: PriceOverride[] = [];
  const lines: PricedLine[] = [];
  request.lines.forEach((line, i) => {
    const variant = variants.get(line.variantId);
    if (!variant) {
      errors.push(userError('UNKNOWN_VARIANT', `no product variant ${line.variantId}`, ['input', 'lines', String(i), 'variantId']));
      return;
    }
    const listPrice = new Decimal(variant.price);
    let unitPrice = listPrice;
    if (line.clientUnitPrice && !line.clientUnitPrice.eq(listPrice)) {
      const field = ['input', 'lines', String(i), 'unitPrice'];
      const message = `the price of ${variant.sku} is ${listPrice.toFixed(2)}, not ${line.clientUnitPrice.toFixed(2)}`;
      if (request.channel !== 'POS') {
        notices.push(userError('PRICE_CHANGED', message, field));
      } else if (options.mayOverridePrice) {
        unitPrice = line.clientUnitPrice;
        overrides.push({ line: i, variantId: variant.id, sku: variant.sku, listPrice: listPrice.toFixed(), unitPrice: unitPrice.toFixed() });
      } else {
        errors.push(userError('PRICE_CHANGED', `${message}: a manager may override it`, field));
      }
    }
    lines.push({ variant, quantity: line.quantity, unitPrice });
  });
  if (errors.length) throw DomainError.many(errors);
  return { lines, overrides, notices };
}

export function describeOverrides(overrides: readonly PriceOverride[]): string | null {
  if (!overrides.length) return null;
  return `price override: ${overrides.map((o) => `${o.sku} ${o.listPrice} -> ${o.unitPrice}`).join(', ')}`;
}
