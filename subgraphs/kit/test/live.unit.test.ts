import type { CloudEvent } from '@comanda/kafka';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Identity } from '../src/identity.ts';
import { inScope, LiveHub, liveChannel, liveMessage } from '../src/live.ts';
import { LiveQueue, mapLive } from '../src/live-queue.ts';

const next = <T>(queue: AsyncIterator<T>) => queue.next();

describe('LiveQueue, drop-oldest', () => {
  it('keeps the newest `capacity` items and says how many it dropped', async () => {
    const sizes: number[] = [];
    const queue = new LiveQueue<number>({ overflow: 'drop-oldest', capacity: 3, onSize: (d) => sizes.push(d) });
    for (const n of [1, 2, 3, 4, 5]) queue.push(n);
    expect(queue.size).toBe(3);
    expect(await next(queue)).toEqual({ value: { value: 3, dropped: 2 }, done: false });
    expect(await next(queue)).toEqual({ value: { value: 4, dropped: 0 }, done: false });
    queue.close();
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(0);
  });

  it('hands an item to a waiting next() at once', async () => {
    const queue = new LiveQueue<string>({ overflow: 'drop-oldest', capacity: 2 });
    const waiting = next(queue);
    queue.push('a');
    expect(await waiting).toEqual({ value: { value: 'a', dropped: 0 }, done: false });
  });

  it('return() ends a pending next() immediately and refuses later pushes', async () => {
    const closed = vi.fn();
    const queue = new LiveQueue<number>({ overflow: 'drop-oldest', capacity: 2, onClose: closed });
    const waiting = next(queue);
    await queue.return();
    expect(await waiting).toEqual({ value: undefined, done: true });
    expect(queue.push(1)).toBe(false);
    expect(closed).toHaveBeenCalledTimes(1);
  });

  it('end() delivers what is buffered, then ends', async () => {
    const queue = new LiveQueue<number>({ overflow: 'drop-oldest', capacity: 5 });
    queue.push(1);
    queue.push(2);
    queue.end();
    expect(queue.push(3)).toBe(false);
    expect((await next(queue)).value?.value).toBe(1);
    expect((await next(queue)).value?.value).toBe(2);
    expect((await next(queue)).done).toBe(true);
  });
});

describe('LiveQueue, keep-latest', () => {
  afterEach(() => vi.useRealTimers());

  it('delivers the newest value at most once per interval, the last one included', async () => {
    vi.useFakeTimers();
    const dropped = vi.fn();
    const queue = new LiveQueue<number>({ overflow: 'keep-latest', minIntervalMs: 1000, onDrop: dropped });
    queue.push(1);
    expect((await next(queue)).value).toEqual({ value: 1, dropped: 0 });
    queue.push(2);
    queue.push(3);
    let second: IteratorResult<{ value: number; dropped: number }, undefined> | null = null;
    void next(queue).then((r) => {
      second = r;
    });
    await vi.advanceTimersByTimeAsync(999);
    expect(second).toBeNull();
    queue.push(4);
    await vi.advanceTimersByTimeAsync(1);
    // replaced values are coalesced, not reported as lost
    expect(second).toEqual({ value: { value: 4, dropped: 0 }, done: false });
    expect(dropped).not.toHaveBeenCalled();
  });
});

describe('mapLive', () => {
  it('passes return() to the source at once, and drops a value mapped after it', async () => {
    const source = new LiveQueue<number>({ overflow: 'drop-oldest', capacity: 4 });
    let release: () => void = () => {};
    const mapped = mapLive(source, async (d) => {
      await new Promise<void>((r) => {
        release = r;
      });
      return d.value * 10;
    });
    source.push(1);
    const pending = mapped.next();
    await new Promise((r) => setImmediate(r));
    await mapped.return?.();
    expect(source.closed).toBe(true);
    release();
    expect(await pending).toEqual({ value: undefined, done: true });
  });
});

const identity = (overrides: Partial<Identity> = {}): Identity => ({
  tenantId: 'demo',
  userId: 'u',
  roles: ['manager'],
  storeIds: null,
  printerId: null,
  ...overrides,
});

const event = (overrides: Partial<CloudEvent> = {}): CloudEvent => ({
  specversion: '1.0',
  id: crypto.randomUUID(),
  source: 'orders',
  type: 'comanda.orders.order.placed.v1',
  subject: 'o1',
  time: new Date().toISOString(),
  tenantid: 'demo',
  storeid: 's1',
  sequence: 1,
  traceparent: null,
  datacontenttype: 'application/json',
  data: {},
  ...overrides,
});

describe('LiveHub', () => {
  it("checks every message against the subscriber's tenant and stores", async () => {
    const hub = new LiveHub();
    const channel = liveChannel('orderChanged', 'demo', 'S1');
    const everyStore = hub.subscribe(channel, identity());
    const otherStore = hub.subscribe(channel, identity({ storeIds: ['s2'] }));
    const otherTenant = hub.subscribe(channel, identity({ tenantId: 'acme' }));
    expect(hub.publish(channel, liveMessage(event(), 'mine'))).toBe(1);
    expect(hub.publish(channel, liveMessage(event({ tenantid: 'acme' }), 'theirs'))).toBe(1);
    expect(everyStore.size).toBe(1);
    expect(otherStore.size).toBe(0);
    expect((await next(otherTenant)).value?.value.payload).toBe('theirs');
  });

  it('keeps channels apart, counts subscribers per field and forgets closed ones', () => {
    const hub = new LiveHub();
    const a = hub.subscribe(liveChannel('orderChanged', 'demo', 's1'), identity());
    hub.subscribe(liveChannel('orderChanged', 'demo', 's2'), identity());
    hub.subscribe(liveChannel('storeMetricsChanged', 'demo', 's1'), identity(), { coalesceMs: 1000 });
    expect(Object.fromEntries(hub.subscribers())).toEqual({ orderChanged: 2, storeMetricsChanged: 1 });
    expect(hub.publish(liveChannel('orderChanged', 'demo', 's2'), liveMessage(event({ storeid: 's2' }), 1))).toBe(1);
    a.close();
    expect(hub.subscribers().get('orderChanged')).toBe(1);
    hub.close();
    expect(hub.subscribers().get('orderChanged')).toBe(0);
  });

  it('scope: a message without a store is the whole tenant', () => {
    expect(inScope(identity({ storeIds: ['s1'] }), { tenantId: 'demo', storeId: null })).toBe(true);
    expect(inScope(identity({ storeIds: ['s1'] }), { tenantId: 'demo', storeId: 's2' })).toBe(false);
    expect(inScope(identity(), { tenantId: 'acme', storeId: null })).toBe(false);
  });
});
