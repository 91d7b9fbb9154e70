import { Decimal, DomainError, fingerprint } from '@comanda/kit';
import { describe, expect, it } from 'vitest';
import {
  describeOverrides,
  fingerprintBody,
  type PlaceOrderInput,
  priceLines,
  replayDecision,
  type SellableVariant,
  validateOrderRequest,
} from '../src/domain/place-order.ts';

const STORE = '0195a1b2-0000-7000-8000-000000000001';
const COFFEE = '0195a1b2-0000-7000-8000-00000000000a';
const MUG = '0195a1b2-0000-7000-8000-00000000000b';

const base: PlaceOrderInput = {
  storeId: STORE,
  clientOrderId: 'pos-1',
  channel: 'POS',
  lines: [{ variantId: COFFEE, quantity: '2' }],
};

function codesOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error.errors.map((e) => e.code).sort();
    throw error;
  }
  return [];
}

describe('validating a placeOrder request', () => {
  it('accepts a plain order and normalizes it', () => {
    const request = validateOrderRequest({ ...base, clientOrderId: ' pos-1 ', note: '  ', customerId: COFFEE.toUpperCase() });
    expect(request.clientOrderId).toBe('pos-1');
    expect(request.note).toBeNull();
    expect(request.customerId).toBe(COFFEE);
    expect(request.payOnAccount).toBe(false);
    expect(request.lines[0]?.quantity.toFixed()).toBe('2');
  });

  it.each([
    [{ lines: [] }, ['EMPTY_LINES']],
    [{ lines: [{ variantId: COFFEE, quantity: '0' }] }, ['INVALID_QUANTITY']],
    [{ lines: [{ variantId: COFFEE, quantity: '-1' }] }, ['INVALID_QUANTITY']],
    [{ lines: [{ variantId: COFFEE, quantity: '1.2345' }] }, ['INVALID_QUANTITY']],
    [{ lines: [{ variantId: COFFEE, quantity: '1000001' }] }, ['INVALID_QUANTITY']],
    [{ lines: [{ variantId: 'not-a-uuid', quantity: '1' }] }, ['UNKNOWN_VARIANT']],
    [{ lines: [{ variantId: COFFEE, quantity: '1', unitPrice: '-0.01' }] }, ['INVALID_PRICE']],
    [{ lines: [{ variantId: COFFEE, quantity: '1', unitPrice: '1.00001' }] }, ['INVALID_PRICE']],
    [{ promotionCodes: ['A1', 'B2', 'C3', 'D4', 'E5', 'F6'] }, ['TOO_MANY_PROMOTION_CODES']],
    [{ channel: 'WEB', lines: [{ variantId: COFFEE, quantity: '1', unitPrice: '80', overridePrice: true }] }, ['PRICE_OVERRIDE_NOT_ALLOWED']],
    [{ lines: [{ variantId: COFFEE, quantity: '1', overridePrice: true }] }, ['INVALID_PRICE']],
    [{ payOnAccount: true }, ['CUSTOMER_REQUIRED']],
    [{ customerId: 'bob' }, ['UNKNOWN_CUSTOMER']],
    [{ clientOrderId: '  ' }, ['INVALID_CLIENT_ORDER_ID']],
    [{ clientOrderId: 'x'.repeat(101) }, ['INVALID_CLIENT_ORDER_ID']],
    [{ note: 'x'.repeat(1001) }, ['NOTE_TOO_LONG']],
    [{ lines: Array.from({ length: 501 }, () => ({ variantId: COFFEE, quantity: '1' })) }, ['TOO_MANY_LINES']],
  ] as [Partial<PlaceOrderInput>, string[]][])('%o is %o', (change, codes) => {
    expect(codesOf(() => validateOrderRequest({ ...base, ...change }))).toEqual(codes);
  });

  it('accepts 3 decimals of quantity and trailing zeros beyond them', () => {
    expect(codesOf(() => validateOrderRequest({ ...base, lines: [{ variantId: COFFEE, quantity: '0.125' }] }))).toEqual([]);
    expect(codesOf(() => validateOrderRequest({ ...base, lines: [{ variantId: COFFEE, quantity: '1.50000' }] }))).toEqual([]);
  });

  it('reports every problem at once', () => {
    const codes = codesOf(() =>
      validateOrderRequest({ ...base, payOnAccount: true, note: 'x'.repeat(1001), lines: [{ variantId: COFFEE, quantity: '0' }] }),
    );
    expect(codes).toEqual(['CUSTOMER_REQUIRED', 'INVALID_QUANTITY', 'NOTE_TOO_LONG']);
  });

  it('normalizes promotion codes: case, blanks and repeats', () => {
    expect(validateOrderRequest({ ...base, promotionCodes: [' summer10', 'SUMMER10', 'vip ', ''] }).promotionCodes).toEqual(['SUMMER10', 'VIP']);
  });
});

describe('idempotency', () => {
  const fp = (input: PlaceOrderInput) => fingerprint(fingerprintBody(validateOrderRequest(input)));

  it('sees the same request written differently as the same', () => {
    const a = fp({ ...base, lines: [{ variantId: COFFEE, quantity: '2', unitPrice: '89.9' }] });
    const b = fp({
      ...base,
      payOnAccount: false,
      note: ' ',
      promotionCodes: [],
      lines: [{ variantId: COFFEE.toUpperCase(), quantity: '2.000', unitPrice: '89.90' }],
    });
    expect(a).toBe(b);
  });

  it.each([
    [{ lines: [{ variantId: COFFEE, quantity: '3' }] }],
    [{ lines: [{ variantId: MUG, quantity: '2' }] }],
    [{ lines: [{ variantId: COFFEE, quantity: '2', unitPrice: '80' }] }],
    [
      {
        lines: [
          { variantId: COFFEE, quantity: '1' },
          { variantId: COFFEE, quantity: '1' },
        ],
      },
    ],
    [{ channel: 'WEB' }],
    [{ customerId: MUG }],
    [{ note: 'gift wrap' }],
    [{ promotionCodes: ['SUMMER10'] }],
    [{ lines: [{ variantId: COFFEE, quantity: '2', unitPrice: '80', overridePrice: true }] }],
  ] as [Partial<PlaceOrderInput>][])('tells %o apart', (change) => {
    expect(fp({ ...base, ...change })).not.toBe(fp(base));
  });

  it('keeps the fingerprint of requests from before the override flag', () => {
    const withoutFlag = fp({ ...base, lines: [{ variantId: COFFEE, quantity: '2', unitPrice: '80' }] });
    expect(fp({ ...base, lines: [{ variantId: COFFEE, quantity: '2', unitPrice: '80', overridePrice: false }] })).toBe(withoutFlag);
    expect(withoutFlag).toBe(
      fingerprint({
        storeId: STORE,
        channel: 'POS',
        payOnAccount: false,
        promotionCodes: [],
        lines: [{ variantId: COFFEE, quantity: '2', unitPrice: '80' }],
      }),
    );
  });

  it('leaves the clientOrderId out: it is the key, not the body', () => {
    expect(fp({ ...base, clientOrderId: 'other' })).toBe(fp(base));
  });

  it('decides create, replay or conflict', () => {
    expect(replayDecision(null, 'abc')).toBe('create');
    expect(replayDecision('abc', 'abc')).toBe('replay');
    expect(replayDecision('abc', 'abd')).toBe('conflict');
  });
});

const sellable = (id: string, sku: string, price: string, vatRate: string, extra: Partial<SellableVariant> = {}): SellableVariant => ({
  id,
  sku,
  name: sku,
  archived: false,
  vatRate,
  pricing: { listPrice: new Decimal(price), tiers: [], segment: null },
  ...extra,
});

describe('pricing', () => {
  const catalog = new Map<string, SellableVariant>([
    [COFFEE, sellable(COFFEE, 'DEMO-001-S', '89.9000', '11')],
    [MUG, sellable(MUG, 'DEMO-012-S', '39.0000', '21')],
  ]);
  const request = (channel: PlaceOrderInput['channel'], unitPrice?: string, overridePrice?: boolean) =>
    validateOrderRequest({
      ...base,
      channel,
      lines: [
        { variantId: COFFEE, quantity: '1', unitPrice, overridePrice },
        { variantId: MUG, quantity: '2' },
      ],
    });

  it('uses the list price when the client agrees or says nothing', () => {
    const priced = priceLines(request('POS', '89.90'), catalog, { mayOverridePrice: false });
    expect(priced.lines.map((l) => l.unitPrice.toFixed(2))).toEqual(['89.90', '39.00']);
    expect(priced.lines.map((l) => l.listPrice.toFixed(2))).toEqual(['89.90', '39.00']);
    expect(priced.notices).toEqual([]);
    expect(priced.overrides).toEqual([]);
  });

  it('refuses a different price at the till, for a manager too unless the line says it is an override', () => {
    expect(codesOf(() => priceLines(request('POS', '80'), catalog, { mayOverridePrice: false }))).toEqual(['PRICE_CHANGED']);
    expect(codesOf(() => priceLines(request('POS', '80'), catalog, { mayOverridePrice: true }))).toEqual(['PRICE_CHANGED']);
  });

  it('refuses an override by a cashier', () => {
    expect(codesOf(() => priceLines(request('POS', '80', true), catalog, { mayOverridePrice: false }))).toEqual(['PRICE_OVERRIDE_NOT_ALLOWED']);
  });

  it('lets a manager override at the till, and says so', () => {
    const priced = priceLines(request('POS', '80', true), catalog, { mayOverridePrice: true });
    expect(priced.lines[0]?.unitPrice.toFixed(2)).toBe('80.00');
    expect(priced.lines[0]?.listPrice.toFixed(2)).toBe('89.90');
    expect(priced.overrides).toEqual([{ line: 0, variantId: COFFEE, sku: 'DEMO-001-S', listPrice: '89.9', unitPrice: '80' }]);
    expect(describeOverrides(priced.overrides)).toBe('price override: DEMO-001-S 89.9 -> 80');
  });

  it('does not need an override where the client price is the server price', () => {
    const priced = priceLines(request('POS', '89.9', true), catalog, { mayOverridePrice: false });
    expect(priced.overrides).toEqual([]);
  });

  it.each(['WEB', 'MOBILE', 'MARKETPLACE', 'B2B'] as const)('uses the server price on %s and reports the difference', (channel) => {
    const priced = priceLines(request(channel, '80'), catalog, { mayOverridePrice: true });
    expect(priced.lines[0]?.unitPrice.toFixed(2)).toBe('89.90');
    expect(priced.notices.map((n) => [n.code, n.field])).toEqual([['PRICE_CHANGED', ['input', 'lines', '0', 'unitPrice']]]);
    expect(priced.overrides).toEqual([]);
  });

  it('compares the client price with the tier the whole order reaches, over repeated lines', () => {
    const tiered = new Map(catalog);
    tiered.set(
      MUG,
      sellable(MUG, 'DEMO-012-S', '39', '21', {
        pricing: { listPrice: new Decimal(39), tiers: [{ minQuantity: new Decimal(5), unitPrice: new Decimal(35) }], segment: null },
      }),
    );
    const split = validateOrderRequest({
      ...base,
      lines: [
        { variantId: MUG, quantity: '3', unitPrice: '35' },
        { variantId: MUG, quantity: '2', unitPrice: '35' },
      ],
    });
    expect(priceLines(split, tiered, { mayOverridePrice: false }).lines.map((l) => l.unitPrice.toFixed(2))).toEqual(['35.00', '35.00']);
    const short = validateOrderRequest({ ...base, lines: [{ variantId: MUG, quantity: '4', unitPrice: '35' }] });
    expect(codesOf(() => priceLines(short, tiered, { mayOverridePrice: false }))).toEqual(['PRICE_CHANGED']);
  });

  it('reports a variant the catalog does not have, and one no longer sold', () => {
    const unknown = validateOrderRequest({ ...base, lines: [{ variantId: '0195a1b2-0000-7000-8000-0000000000ff', quantity: '1' }] });
    expect(codesOf(() => priceLines(unknown, catalog, { mayOverridePrice: false }))).toEqual(['UNKNOWN_VARIANT']);
    const gone = new Map([[COFFEE, sellable(COFFEE, 'DEMO-001-S', '89.9', '11', { archived: true })]]);
    expect(codesOf(() => priceLines(validateOrderRequest(base), gone, { mayOverridePrice: false }))).toEqual(['VARIANT_ARCHIVED']);
  });
});
