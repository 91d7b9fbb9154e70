/**
 * The store's shift at this till: open with a float, cash in and out, close with the counted
 * cash; the server freezes the Z report and queues it for the shift's printer. Every write
 * carries a client-made key, so a retry after a lost answer opens, moves or closes once.
 */
import type { Api, UserError } from './graphql/api.ts';
import { CLOSE_SHIFT, CURRENT_SHIFT, OPEN_SHIFT, RECORD_CASH_MOVEMENT } from './graphql/operations.ts';
import { uuidv7 } from './uuid.ts';

interface Amount {
  amount: string;
}

export interface Shift {
  id: string;
  status: 'OPEN' | 'CLOSED';
  openedAt: string;
  closedAt: string | null;
  openedBy: string;
  closedBy: string | null;
  openingFloat: Amount & { currencyCode: string };
  printer: { id: string; name: string };
  cashMovements: { id: string; kind: 'CASH_IN' | 'CASH_OUT'; amount: Amount; reason: string; at: string; by: string }[];
  countedCash: Amount | null;
  zReport?: ZReport | null;
}

export interface MethodTotal {
  method: string;
  amount: Amount;
  count: number;
}

export interface ZReport {
  number: number;
  generatedAt: string;
  receiptsCount: number;
  salesByMethod: MethodTotal[];
  grossSales: Amount & { currencyCode: string };
  netSales: Amount;
  discounts: Amount;
  vatBreakdown: { rate: string; taxableAmount: Amount; taxAmount: Amount }[];
  refunds: Amount;
  refundsByMethod: MethodTotal[];
  openingFloat: Amount;
  cashSales: Amount;
  cashRefunds: Amount;
  cashIn: Amount;
  cashOut: Amount;
  expectedCash: Amount;
  countedCash: Amount;
  discrepancy: Amount;
}

type Payload<K extends string> = Record<K, { shift: Shift | null; userErrors: UserError[]; printJob?: { id: string; status: string } | null }>;

export class ShiftError extends Error {
  readonly errors: UserError[];
  constructor(errors: UserError[]) {
    super(errors.map((e) => `${e.message} (${e.code})`).join('; '));
    this.errors = errors;
  }
}

export class ShiftState {
  current = $state.raw<Shift | null>(null);
  /** the last closed shift, with its Z report, until another opens */
  closed = $state.raw<{ shift: Shift; printJob: { id: string; status: string } | null } | null>(null);
  loaded = $state(false);
  error = $state<string | null>(null);
  /** one key per form submission: a retry of the same submission is the same write */
  private keys = new Map<string, string>();

  async load(api: Api, storeId: string): Promise<void> {
    try {
      const { currentShift } = await api.query<{ currentShift: Shift | null }>(CURRENT_SHIFT, { storeId });
      this.current = currentShift;
      this.error = null;
    } catch (error) {
      this.error = (error as Error).message;
    } finally {
      this.loaded = true;
    }
  }

  async open(api: Api, storeId: string, printerId: string, openingFloat: string): Promise<void> {
    const shift = await this.write(api, 'openShift', OPEN_SHIFT, `open:${storeId}:${openingFloat}`, { storeId, printerId, openingFloat });
    this.current = shift.shift;
    this.closed = null;
  }

  async move(api: Api, kind: 'CASH_IN' | 'CASH_OUT', amount: string, reason: string): Promise<void> {
    const shiftId = this.current!.id;
    const result = await this.write(api, 'recordCashMovement', RECORD_CASH_MOVEMENT, `move:${shiftId}:${kind}:${amount}:${reason}`, {
      shiftId,
      kind,
      amount,
      reason,
    });
    this.current = result.shift;
  }

  async close(api: Api, countedCash: string): Promise<void> {
    const shiftId = this.current!.id;
    const result = await this.write(api, 'closeShift', CLOSE_SHIFT, `close:${shiftId}:${countedCash}`, { shiftId, countedCash });
    this.closed = { shift: result.shift!, printJob: result.printJob ?? null };
    this.current = null;
  }

  private async write<K extends string>(api: Api, field: K, document: string, form: string, input: Record<string, unknown>) {
    let idempotencyKey = this.keys.get(form);
    if (!idempotencyKey) {
      idempotencyKey = uuidv7();
      this.keys.set(form, idempotencyKey);
    }
    const data = await api.mutate<Payload<K>>(document, { input: { ...input, idempotencyKey } });
    const payload = data[field];
    // a refused write wrote nothing: the next try of this form may use a new key
    if (payload.userErrors.length || !payload.shift) {
      this.keys.delete(form);
      throw new ShiftError(payload.userErrors);
    }
    this.keys.delete(form);
    return payload;
  }
}

export const shift = new ShiftState();
