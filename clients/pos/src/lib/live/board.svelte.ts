/**
 * The store's orders board, live: OrderBoard (orderChanged) events applied by order id on top
 * of a read of the newest orders. Subscribe first, then read, and read again after a
 * reconnect or when the gateway says events were dropped or missed (docs/subscriptions.md).
 */
import type { Api } from '../graphql/api.ts';
import { ORDER_BOARD, STORE_ORDERS } from '../graphql/operations.ts';

export interface BoardOrder {
  id: string;
  number: string;
  status: string;
  createdAt: string;
  total: { amount: string; currencyCode: string };
  customer: { name: string } | null;
  paymentStatus: string;
  amountPaid: { amount: string };
  fulfillmentStatus: string;
  receipt: { number: string } | null;
}

export interface OrderChange {
  type: 'PLACED' | 'STATUS_CHANGED' | 'PAYMENT_CHANGED' | 'FULFILLMENT_CHANGED' | 'CANCELLED';
  at: string;
  order: BoardOrder;
}

export interface BoardRow extends BoardOrder {
  /** the last live change, for the row's highlight */
  change?: { type: OrderChange['type']; at: string };
}

const LIMIT = 100;

/** newest first; an order already on the board is replaced, never duplicated */
export function upsert(rows: BoardRow[], order: BoardOrder, change?: BoardRow['change'], limit = LIMIT): BoardRow[] {
  const row: BoardRow = { ...order, change: change ?? rows.find((r) => r.id === order.id)?.change };
  const rest = rows.filter((r) => r.id !== order.id);
  const index = rest.findIndex((r) => r.createdAt < row.createdAt);
  rest.splice(index < 0 ? rest.length : index, 0, row);
  return rest.slice(0, limit);
}

export type LiveStatus = 'connecting' | 'live' | 'error';

export class OrderBoard {
  rows = $state.raw<BoardRow[]>([]);
  status = $state<LiveStatus>('connecting');
  loading = $state(true);
  error = $state<string | null>(null);
  events = $state(0);
  private stops: (() => void)[] = [];

  start(api: Api, storeId: string): void {
    this.stop();
    this.status = api.connected() ? 'live' : 'connecting';
    this.stops.push(
      api.subscribe<{ orderChanged: OrderChange }>(
        ORDER_BOARD,
        { storeId },
        {
          next: ({ orderChanged }, extensions) => {
            this.events += 1;
            this.rows = upsert(this.rows, orderChanged.order, { type: orderChanged.type, at: orderChanged.at });
            if ((extensions as { live?: unknown } | undefined)?.live) void this.read(api, storeId);
          },
          error: (error) => {
            this.status = 'error';
            this.error = error.message;
          },
        },
      ),
      api.onConnection(({ connected, retry }) => {
        this.status = connected ? 'live' : 'connecting';
        if (retry) void this.read(api, storeId);
      }),
    );
    void this.read(api, storeId);
  }

  async read(api: Api, storeId: string): Promise<void> {
    try {
      const data = await api.query<{ orders: { nodes: BoardOrder[] } }>(STORE_ORDERS, { storeId, first: LIMIT });
      let rows = this.rows;
      // events that arrived while the read ran are as new or newer: the read fills in, it does not overwrite them
      for (const order of data.orders.nodes.slice().reverse()) if (!rows.some((r) => r.id === order.id && r.change)) rows = upsert(rows, order);
      this.rows = rows;
      this.error = null;
    } catch (error) {
      this.error = (error as Error).message;
    } finally {
      this.loading = false;
    }
  }

  stop(): void {
    for (const stop of this.stops.splice(0)) stop();
  }
}
