import { createHash } from 'node:crypto';
import { Decimal } from '@comanda/kit';
import type { ShipmentStatus } from '../domain/shipment.ts';
import {
  type CarrierAdapter,
  type CarrierBooking,
  type CarrierEvent,
  CarrierRejected,
  type CarrierShipmentRequest,
  CarrierUnavailable,
} from './carrier.ts';

/**
 * Magic cash-on-delivery amounts: the cents decide the sandbox's answer, like a real courier's
 * test addresses (documented in docs/logistics.md).
 *   .51  booking rejected (address_not_serviceable)
 *   .53  carrier unavailable (timeout): nothing is booked, retry later
 *   .55  booked, but the delivery fails and the parcel goes back (FAILED_DELIVERY, RETURNED)
 * Every other booking is delivered.
 */
export const SANDBOX_MAGIC_CENTS = { rejected: 51, unavailable: 53, returned: 55 } as const;

interface Scan {
  status: ShipmentStatus;
  location: string;
}

const DELIVERED_ROUTE: Scan[] = [
  { status: 'PICKED_UP', location: 'Sender' },
  { status: 'IN_TRANSIT', location: 'Sandbox hub' },
  { status: 'OUT_FOR_DELIVERY', location: 'Destination depot' },
  { status: 'DELIVERED', location: 'Recipient' },
];
const RETURNED_ROUTE: Scan[] = [
  { status: 'PICKED_UP', location: 'Sender' },
  { status: 'IN_TRANSIT', location: 'Sandbox hub' },
  { status: 'OUT_FOR_DELIVERY', location: 'Destination depot' },
  { status: 'FAILED_DELIVERY', location: 'Recipient not at home' },
  { status: 'RETURNED', location: 'Sender' },
];

/** The sandbox forgets the oldest parcels beyond this, a bounded stand-in for the courier's books. */
const PARCEL_LIMIT = 10_000;

interface Parcel {
  route: Scan[];
  /** scans revealed so far, with when */
  seen: CarrierEvent[];
  cancelled: boolean;
}

function cents(amount: string | null): number | null {
  return amount === null ? null : new Decimal(amount).times(100).mod(100).abs().toNumber();
}

/** Deterministic: the same shipment reference always gets the same AWB. */
export function sandboxAwb(reference: string): string {
  const digits = BigInt(`0x${createHash('sha256').update(reference).digest('hex').slice(0, 15)}`) % 10_000_000_000n;
  return `SBX${digits.toString().padStart(10, '0')}`;
}

/**
 * The sandbox courier: books instantly and, each time it is asked for tracking, moves the
 * parcel one scan further along its route (time passing, on demand), so every status can be
 * reached in a test or a demo.
 */
export class SandboxCarrier implements CarrierAdapter {
  readonly name = 'sandbox';
  readonly #parcels = new Map<string, Parcel>();

  async createShipment(request: CarrierShipmentRequest): Promise<CarrierBooking> {
    const magic = cents(request.codAmount);
    if (magic === SANDBOX_MAGIC_CENTS.unavailable) throw new CarrierUnavailable('sandbox: the courier timed out');
    if (magic === SANDBOX_MAGIC_CENTS.rejected) throw new CarrierRejected('address_not_serviceable', 'the courier does not deliver to this address');
    const trackingNumber = sandboxAwb(request.reference);
    if (!this.#parcels.has(trackingNumber)) {
      this.#remember(trackingNumber, {
        route: magic === SANDBOX_MAGIC_CENTS.returned ? RETURNED_ROUTE : DELIVERED_ROUTE,
        seen: [],
        cancelled: false,
      });
    }
    const cod = request.codAmount === null ? 'none' : `${new Decimal(request.codAmount).toFixed(2)} ${request.currency}`;
    return { trackingNumber, label: labelPdf(['SANDBOX COURIER', `AWB ${trackingNumber}`, `Order ${request.orderId}`, `COD ${cod}`]) };
  }

  async track(trackingNumber: string): Promise<CarrierEvent[]> {
    let parcel = this.#parcels.get(trackingNumber);
    if (!parcel) {
      // booked before the sandbox restarted: it takes the parcel up again on the usual route
      parcel = { route: DELIVERED_ROUTE, seen: [], cancelled: false };
      this.#remember(trackingNumber, parcel);
    }
    const next = parcel.route[parcel.seen.length];
    if (next && !parcel.cancelled) {
      parcel.seen.push({ eventId: `${trackingNumber}:${parcel.seen.length}`, status: next.status, location: next.location, at: new Date() });
    }
    return [...parcel.seen];
  }

  async cancel(trackingNumber: string): Promise<void> {
    const parcel = this.#parcels.get(trackingNumber);
    if (parcel) parcel.cancelled = true;
  }

  #remember(trackingNumber: string, parcel: Parcel): void {
    this.#parcels.set(trackingNumber, parcel);
    if (this.#parcels.size > PARCEL_LIMIT) {
      const oldest = this.#parcels.keys().next().value;
      if (oldest !== undefined) this.#parcels.delete(oldest);
    }
  }
}

/** A one-page A6 PDF with the label's lines (ASCII: the built-in Helvetica has no other glyphs). */
export function labelPdf(lines: string[]): Buffer {
  const text = lines
    .map((line, i) => `BT /F1 12 Tf 24 ${380 - i * 22} Td (${line.replace(/[^\x20-\x7e]/g, '?').replace(/[\\()]/g, '\\$&')}) Tj ET`)
    .join('\n');
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 298 420] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
    `<< /Length ${text.length} >>\nstream\n${text}\nendstream`,
  ];
  let pdf = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(pdf.length);
    pdf += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = pdf.length;
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  pdf += offsets.map((offset) => `${String(offset).padStart(10, '0')} 00000 n \n`).join('');
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(pdf, 'ascii');
}
