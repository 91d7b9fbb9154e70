import { describe, expect, it } from 'vitest';
import { CarrierRejected, CarrierUnavailable } from '../src/carriers/carrier.ts';
import { labelPdf, SandboxCarrier, sandboxAwb } from '../src/carriers/sandbox.ts';
import { parseOrderPlaced, parseOrderTransition } from '../src/events.ts';

const ORDER = '0193a000-0000-7000-8000-0000000000aa';
const STORE = '0193a000-0000-7000-8000-0000000000bb';
const LINE = '0193a000-0000-7000-8000-0000000000cc';
const VARIANT = '0193a000-0000-7000-8000-0000000000dd';

const booking = (reference: string, codAmount: string | null = null) => ({ reference, orderId: ORDER, codAmount, currency: 'RON' });

describe('the sandbox carrier', () => {
  it('gives the same AWB for the same shipment reference, and different ones for different references', async () => {
    const carrier = new SandboxCarrier();
    const first = await carrier.createShipment(booking('ship-1'));
    const again = await new SandboxCarrier().createShipment(booking('ship-1'));
    expect(first.trackingNumber).toMatch(/^SBX\d{10}$/);
    expect(again.trackingNumber).toBe(first.trackingNumber);
    expect(first.trackingNumber).toBe(sandboxAwb('ship-1'));
    expect(sandboxAwb('ship-2')).not.toBe(first.trackingNumber);
  });

  it('returns a PDF label with the AWB and the cash on delivery', async () => {
    const { trackingNumber, label } = await new SandboxCarrier().createShipment(booking('ship-3', '12.5'));
    const text = label.toString('ascii');
    expect(text.startsWith('%PDF-1.4')).toBe(true);
    expect(text.trimEnd().endsWith('%%EOF')).toBe(true);
    expect(text).toContain(`(AWB ${trackingNumber})`);
    expect(text).toContain('(COD 12.50 RON)');
    // the xref table points at the objects
    const offsets = [...text.matchAll(/^(\d{10}) 00000 n $/gm)].map((m) => Number(m[1]));
    expect(offsets.map((o) => text.slice(o, o + 7))).toEqual(['1 0 obj', '2 0 obj', '3 0 obj', '4 0 obj', '5 0 obj']);
  });

  it('escapes PDF string delimiters and non-ASCII in labels', () => {
    expect(labelPdf(['a (b) \\ ș']).toString('ascii')).toContain('(a \\(b\\) \\\\ ?)');
  });

  it('fails on magic cash-on-delivery amounts', async () => {
    const carrier = new SandboxCarrier();
    await expect(carrier.createShipment(booking('r1', '10.53'))).rejects.toBeInstanceOf(CarrierUnavailable);
    await expect(carrier.createShipment(booking('r2', '10.51'))).rejects.toMatchObject({ code: 'address_not_serviceable' });
    await expect(carrier.createShipment(booking('r2', '10.51'))).rejects.toBeInstanceOf(CarrierRejected);
  });

  it('moves a parcel one scan further each time it is tracked, and stops at the end of its route', async () => {
    const carrier = new SandboxCarrier();
    const { trackingNumber } = await carrier.createShipment(booking('ship-4'));
    const seen: string[][] = [];
    for (let i = 0; i < 5; i++) seen.push((await carrier.track(trackingNumber)).map((e) => e.status));
    expect(seen).toEqual([
      ['PICKED_UP'],
      ['PICKED_UP', 'IN_TRANSIT'],
      ['PICKED_UP', 'IN_TRANSIT', 'OUT_FOR_DELIVERY'],
      ['PICKED_UP', 'IN_TRANSIT', 'OUT_FOR_DELIVERY', 'DELIVERED'],
      ['PICKED_UP', 'IN_TRANSIT', 'OUT_FOR_DELIVERY', 'DELIVERED'],
    ]);
    const events = await carrier.track(trackingNumber);
    expect(new Set(events.map((e) => e.eventId)).size).toBe(4);
  });

  it('sends a .55 COD parcel back after a failed delivery, and a cancelled parcel goes nowhere', async () => {
    const carrier = new SandboxCarrier();
    const { trackingNumber } = await carrier.createShipment(booking('ship-5', '20.55'));
    let last: string[] = [];
    for (let i = 0; i < 6; i++) last = (await carrier.track(trackingNumber)).map((e) => e.status);
    expect(last).toEqual(['PICKED_UP', 'IN_TRANSIT', 'OUT_FOR_DELIVERY', 'FAILED_DELIVERY', 'RETURNED']);

    const cancelled = await carrier.createShipment(booking('ship-6'));
    await carrier.cancel(cancelled.trackingNumber);
    expect(await carrier.track(cancelled.trackingNumber)).toEqual([]);
  });
});

describe("orders' events", () => {
  const placed = {
    orderId: ORDER.toUpperCase(),
    storeId: STORE,
    channel: 'POS',
    status: 'PENDING',
    currency: 'RON',
    total: '37.40',
    lines: [{ lineId: LINE, variantId: VARIANT, quantity: '2.5', sku: 'X' }],
  };

  it('reads the lines of order.placed with exact quantities', () => {
    const order = parseOrderPlaced(placed);
    expect(order).toMatchObject({ orderId: ORDER, storeId: STORE, channel: 'POS', total: '37.40' });
    expect(order.lines.map((l) => [l.lineId, l.variantId, l.quantity.toFixed()])).toEqual([[LINE, VARIANT, '2.5']]);
  });

  it.each([
    [{ orderId: 'nope' }, /orderId is not a UUID/],
    [{ currency: 'ron' }, /currency/],
    [{ total: '-1' }, /total/],
    [{ lines: 'x' }, /lines/],
    [{ lines: [{ lineId: LINE, variantId: VARIANT, quantity: '0' }] }, /quantity/],
    [{ lines: [{ lineId: LINE, variantId: 'v', quantity: '1' }] }, /variantId/],
  ])('refuses a malformed order.placed (%j) so it is dead-lettered', (patch, message) => {
    expect(() => parseOrderPlaced({ ...placed, ...patch })).toThrow(message);
  });

  it('reads a transition', () => {
    expect(parseOrderTransition({ orderId: ORDER, channel: 'WEB', to: 'COMPLETED' })).toEqual({ orderId: ORDER, channel: 'WEB', to: 'COMPLETED' });
    expect(() => parseOrderTransition({ orderId: ORDER, channel: 'WEB' })).toThrow(/to is missing/);
  });
});
