import type { ShipmentStatus } from '../domain/shipment.ts';

/**
 * A courier behind one interface, so real adapters (a courier's REST API) and the sandbox are
 * interchangeable. Amounts travel as decimal strings.
 */
export interface CarrierAdapter {
  readonly name: string;
  /** books the shipment: the AWB and the label to stick on the parcel */
  createShipment(request: CarrierShipmentRequest): Promise<CarrierBooking>;
  /** everything the carrier has seen of the parcel so far, oldest first */
  track(trackingNumber: string): Promise<CarrierEvent[]>;
  /** voids a booked label that will not be used (the booking's transaction failed) */
  cancel(trackingNumber: string): Promise<void>;
}

export interface CarrierShipmentRequest {
  /** our shipment id: a retried booking with the same reference gets the same AWB */
  reference: string;
  orderId: string;
  codAmount: string | null;
  currency: string;
}

export interface CarrierBooking {
  trackingNumber: string;
  /** a PDF */
  label: Buffer;
}

export interface CarrierEvent {
  /** the carrier's id of the scan: the same news delivered twice is stored once */
  eventId: string;
  status: ShipmentStatus;
  location: string | null;
  at: Date;
}

/** The carrier did not answer (timeout, 5xx): nothing was booked, the client may retry. */
export class CarrierUnavailable extends Error {
  override name = 'CarrierUnavailable';
}

/** The carrier refused the booking (an address it does not serve, a COD it does not take). */
export class CarrierRejected extends Error {
  override name = 'CarrierRejected';
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}
