/**
 * placeOrder's rules without I/O: input validation, which price wins, and how a retried
 * request under the same clientOrderId is told apart from a conflicting one.
 */
import { Decimal, DomainError, type UserError, UUID, userError } from '@comanda/kit';
import { quantitiesByVariant, resolveUnitPrice, type VariantPricing } from './price-tiers.ts';
import { MAX_CODES, normalizeCode } from './promotions.ts';

export const ORDER_CHANNELS = ['POS', 'WEB', 'MOBILE', 'MARKETPLACE', 'B2B'] as const;
export type OrderChannel = (typeof ORDER_CHANNELS)[number];

export interface OrderLineInput {
  variantId: string;
  quantity: string;
  unitPrice?: string | null;
  /** the client's unitPrice is a deliberate override (POS, manager or owner) */
  overridePrice?: boolean | null;
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
  /** the client means its price to stand */
  overridePrice: boolean;
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
    const overridePrice = line.overridePrice === true;
    if (overridePrice && input.channel !== 'POS') {
      errors.push(userError('PRICE_OVERRIDE_NOT_ALLOWED', 'prices are overridden at the till (POS) only', field('overridePrice')));
    } else if (overridePrice && !clientUnitPrice) {
      errors.push(userError('INVALID_PRICE', 'an override needs the unitPrice to sell at', field('unitPrice')));
    }
    return { variantId: line.variantId.toLowerCase(), quantity, clientUnitPrice, overridePrice };
  });

  // a code typed twice is one code; whether each exists and applies is the promotions' check
  const promotionCodes = [...new Set((input.promotionCodes ?? []).map(normalizeCode).filter(Boolean))];
  if (promotionCodes.length > MAX_CODES) {
    errors.push(userError('TOO_MANY_PROMOTION_CODES', `an order takes at most ${MAX_CODES} codes`, ['input', 'promotionCodes']));
  }

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
    // `override` only when set, so requests from before the flag existed keep their fingerprint
    lines: request.lines.map((l) => ({
      variantId: l.variantId,
      quantity: l.quantity.toFixed(),
      unitPrice: l.clientUnitPrice?.toFixed() ?? null,
      override: l.overridePrice || null,
    })),
  };
}

export type ReplayDecision = 'create' | 'replay' | 'conflict';

export function replayDecision(existingFingerprint: string | null, requestFingerprint: string): ReplayDecision {
  if (existingFingerprint === null) return 'create';
  return existingFingerprint === requestFingerprint ? 'replay' : 'conflict';
}

/** A variant as placeOrder needs it: its rate on the order's date and its prices for the customer. */
export interface SellableVariant {
  id: string;
  sku: string;
  name: string;
  archived: boolean;
  /** the VAT rate in force on the order's date in its store */
  vatRate: string;
  pricing: VariantPricing;
}

export interface PricedLine {
  variant: SellableVariant;
  quantity: Decimal;
  /** what the line is sold at: the server's price, or a manager's override */
  unitPrice: Decimal;
  /** the server's price for this customer and quantity */
  listPrice: Decimal;
  /** the segment price list that gave listPrice, if one did */
  priceListId: string | null;
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
 * The server's price list wins (price-tiers.ts says which price that is). At the till (POS) a
 * different client price is an error the cashier must resolve, unless the line says
 * `overridePrice` and a manager or owner is placing the order: then it is a deliberate override
 * and stands. Other channels get the server price and a notice.
 */
export function priceLines(
  request: Pick<OrderRequest, 'channel' | 'lines'>,
  variants: ReadonlyMap<string, SellableVariant>,
  options: { mayOverridePrice: boolean },
): PricedOrder {
  const errors: UserError[] = [];
  const notices: UserError[] = [];
  const overrides: PriceOverride[] = [];
  const lines: PricedLine[] = [];
  const quantities = quantitiesByVariant(request.lines);
  request.lines.forEach((line, i) => {
    const variant = variants.get(line.variantId);
    const field = (name: string) => ['input', 'lines', String(i), name];
    if (!variant) {
      errors.push(userError('UNKNOWN_VARIANT', `no product variant ${line.variantId}`, field('variantId')));
      return;
    }
    if (variant.archived) {
      errors.push(userError('VARIANT_ARCHIVED', `${variant.sku} is no longer sold`, field('variantId')));
      return;
    }
    const resolved = resolveUnitPrice(variant.pricing, quantities.get(line.variantId) ?? line.quantity);
    const listPrice = resolved.unitPrice;
    let unitPrice = listPrice;
    if (line.clientUnitPrice && !line.clientUnitPrice.eq(listPrice)) {
      const message = `the price of ${variant.sku} is ${listPrice.toFixed(2)}, not ${line.clientUnitPrice.toFixed(2)}`;
      if (request.channel !== 'POS') {
        notices.push(userError('PRICE_CHANGED', message, field('unitPrice')));
      } else if (line.overridePrice && options.mayOverridePrice) {
        unitPrice = line.clientUnitPrice;
        overrides.push({ line: i, variantId: variant.id, sku: variant.sku, listPrice: listPrice.toFixed(), unitPrice: unitPrice.toFixed() });
      } else if (line.overridePrice) {
        errors.push(userError('PRICE_OVERRIDE_NOT_ALLOWED', `${message}: only a manager or owner may override it`, field('overridePrice')));
      } else {
        errors.push(userError('PRICE_CHANGED', `${message}: sell at the new price, or a manager may override it`, field('unitPrice')));
      }
    }
    lines.push({ variant, quantity: line.quantity, unitPrice, listPrice, priceListId: resolved.priceListId });
  });
  if (errors.length) throw DomainError.many(errors);
  return { lines, overrides, notices };
}

export function describeOverrides(overrides: readonly PriceOverride[]): string | null {
  if (!overrides.length) return null;
  return `price override: ${overrides.map((o) => `${o.sku} ${o.listPrice} -> ${o.unitPrice}`).join(', ')}`;
}
