/**
 * The store's live dashboard: today's metrics (StoreDashboard, then LiveDashboard pushes) and
 * sales by hour, built from today's orders and kept current from OrderBoard events. "Today" is
 * the calendar day in the store's timezone, as the server counts it.
 */
import { type Fixed, parse } from '../decimal.ts';
import type { Api } from '../graphql/api.ts';
import { LIVE_DASHBOARD, ORDER_BOARD, STORE_DASHBOARD, STORE_ORDERS } from '../graphql/operations.ts';
import type { BoardOrder, OrderChange } from './board.svelte.ts';

export interface StoreMetrics {
  storeId: string;
  currencyCode: string;
  timezone: string;
  ordersToday: number;
  salesToday: { amount: string; currencyCode: string };
  openOrders: number;
  collectedToday: { amount: string };
  receiptsToday: number;
  overdueInvoices: number;
  shipmentsInTransit: number;
  creditExposure: { amount: string };
}

export interface HourBucket {
  hour: number;
  sales: Fixed;
  orders: number;
}

function partsIn(timezone: string, date: Date): Record<string, number> {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: timezone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(date);
  return Object.fromEntries(parts.filter((p) => p.type !== 'literal').map((p) => [p.type, Number(p.value)]));
}

/** the instant the store's day began */
export function startOfDay(timezone: string, now = new Date()): Date {
  const p = partsIn(timezone, now);
  const wallMidnight = Date.UTC(p.year!, p.month! - 1, p.day!);
  // the zone's offset at that moment (twice: the first guess may sit across a DST change)
  let guess = wallMidnight;
  for (let i = 0; i < 2; i++) {
    const q = partsIn(timezone, new Date(guess));
    const offset = Date.UTC(q.year!, q.month! - 1, q.day!, q.hour!, q.minute!, q.second!) - guess;
    guess = wallMidnight - offset;
  }
  return new Date(guess);
}

export function dayOf(timezone: string, date: Date): string {
  const p = partsIn(timezone, date);
  return `${p.year}-${p.month}-${p.day}`;
}

export function hourOf(timezone: string, date: Date): number {
  return partsIn(timezone, date).hour!;
}

export function emptyHours(): HourBucket[] {
  return Array.from({ length: 24 }, (_, hour) => ({ hour, sales: 0n, orders: 0 }));
}

/** today's orders into 24 buckets; cancelled orders do not count (as ordersToday) */
export function bucketByHour(orders: Pick<BoardOrder, 'createdAt' | 'status' | 'total'>[], timezone: string, today: string): HourBucket[] {
  const hours = emptyHours();
  for (const order of orders) {
    const at = new Date(order.createdAt);
    if (order.status === 'CANCELLED' || dayOf(timezone, at) !== today) continue;
    const bucket = hours[hourOf(timezone, at)]!;
    bucket.sales += parse(order.total.amount);
    bucket.orders += 1;
  }
  return hours;
}

const MAX_PAGES = 20;

export class StoreDashboard {
  metrics = $state<StoreMetrics | null>(null);
  hours = $state.raw<HourBucket[]>(emptyHours());
  loading = $state(true);
  error = $state<string | null>(null);
  updatedAt = $state<string | null>(null);
  /** today's orders by id (status and total), the chart's source */
  private today = new Map<string, Pick<BoardOrder, 'createdAt' | 'status' | 'total'>>();
  private stops: (() => void)[] = [];
  private timezone = 'UTC';

  start(api: Api, storeId: string, timezone: string): void {
    this.stop();
    this.timezone = timezone;
    this.stops.push(
      api.subscribe<{ storeMetricsChanged: StoreMetrics }>(
        LIVE_DASHBOARD,
        { storeId },
        {
          next: ({ storeMetricsChanged }) => this.setMetrics(storeMetricsChanged),
          error: (error) => {
            this.error = error.message;
          },
        },
      ),
      api.subscribe<{ orderChanged: OrderChange }>(
        ORDER_BOARD,
        { storeId },
        {
          next: ({ orderChanged }) => {
            this.today.set(orderChanged.order.id, orderChanged.order);
            this.rebucket();
          },
        },
      ),
      api.onConnection(({ retry }) => retry && void this.read(api, storeId)),
    );
    void this.read(api, storeId);
  }

  async read(api: Api, storeId: string): Promise<void> {
    try {
      const [{ storeMetrics }] = await Promise.all([
        api.query<{ storeMetrics: StoreMetrics }>(STORE_DASHBOARD, { storeId }),
        this.readOrders(api, storeId),
      ]);
      this.setMetrics(storeMetrics);
      this.error = null;
    } catch (error) {
      this.error = (error as Error).message;
    } finally {
      this.loading = false;
    }
  }

  private async readOrders(api: Api, storeId: string): Promise<void> {
    const filter = { createdFrom: startOfDay(this.timezone).toISOString() };
    let after: string | null = null;
    for (let page = 0; page < MAX_PAGES; page++) {
      const data: { orders: { nodes: BoardOrder[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } } = await api.query(STORE_ORDERS, {
        storeId,
        first: 250,
        after,
        filter,
      });
      for (const order of data.orders.nodes) if (!this.today.has(order.id)) this.today.set(order.id, order);
      if (!data.orders.pageInfo.hasNextPage) break;
      after = data.orders.pageInfo.endCursor;
    }
    this.rebucket();
  }

  private setMetrics(metrics: StoreMetrics): void {
    this.metrics = metrics;
    this.updatedAt = new Date().toISOString();
  }

  private rebucket(): void {
    this.hours = bucketByHour([...this.today.values()], this.timezone, dayOf(this.timezone, new Date()));
  }

  stop(): void {
    for (const stop of this.stops.splice(0)) stop();
    this.today.clear();
  }
}
