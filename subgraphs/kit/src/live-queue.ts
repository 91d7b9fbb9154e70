/**
 * One subscriber's buffer between a fast producer (an event stream) and a consumer that may be
 * slow (a WebSocket whose client reads slowly, or not at all). It never holds more than its
 * capacity: a full `drop-oldest` queue forgets its oldest item and counts it, so the next
 * delivery can say how many were lost; a `keep-latest` queue holds one item (the newest value
 * replaces the one waiting) and delivers at most once per `minIntervalMs`, always ending on
 * the newest value.
 *
 * It is the subscription's async iterator: `return()` ends it at once, also while a `next()`
 * is waiting (an async generator would wait for its pending `await` first, keeping a stream
 * alive until its next event).
 */

export type Overflow = 'drop-oldest' | 'keep-latest';

export interface LiveQueueOptions {
  overflow: Overflow;
  /** drop-oldest only; keep-latest always holds one */
  capacity?: number;
  /** keep-latest only: the least time between two deliveries */
  minIntervalMs?: number;
  /** +n / -n as items enter and leave the buffer (for a gauge) */
  onSize?: (delta: number) => void;
  /** an item was dropped (drop-oldest overflow) */
  onDrop?: () => void;
  /** called once, when the queue ends for whatever reason */
  onClose?: () => void;
}

export interface Delivery<T> {
  value: T;
  /** items this queue dropped since the previous delivery (drop-oldest) */
  dropped: number;
}

const DONE = { value: undefined, done: true } as const;

export class LiveQueue<T> implements AsyncIterableIterator<Delivery<T>, undefined> {
  readonly #options: LiveQueueOptions;
  readonly #capacity: number;
  #items: T[] = [];
  #dropped = 0;
  #waiting: ((result: IteratorResult<Delivery<T>, undefined>) => void) | null = null;
  #closed = false;
  /** end once the buffer is empty (the producer is done) */
  #ending = false;
  #notBefore = 0;
  #timer: NodeJS.Timeout | null = null;

  constructor(options: LiveQueueOptions) {
    this.#options = options;
    this.#capacity = options.overflow === 'keep-latest' ? 1 : Math.max(1, options.capacity ?? 100);
  }

  get size(): number {
    return this.#items.length;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** False once the queue has ended: the producer should forget it. */
  push(item: T): boolean {
    if (this.#closed || this.#ending) return false;
    if (this.#items.length >= this.#capacity) {
      this.#items.shift();
      this.#options.onSize?.(-1);
      if (this.#options.overflow === 'drop-oldest') {
        this.#dropped += 1;
        this.#options.onDrop?.();
      }
    }
    this.#items.push(item);
    this.#options.onSize?.(1);
    this.#deliver();
    return true;
  }

  /** The producer is done: deliver what is buffered, then end. */
  end(): void {
    this.#ending = true;
    if (!this.#items.length) this.close();
  }

  /** Ends now; buffered items are discarded. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#items.length) this.#options.onSize?.(-this.#items.length);
    this.#items = [];
    const waiting = this.#waiting;
    this.#waiting = null;
    waiting?.(DONE);
    this.#options.onClose?.();
  }

  #deliver(): void {
    if (!this.#waiting || !this.#items.length) return;
    const wait = this.#notBefore - Date.now();
    if (wait > 0) {
      this.#timer ??= setTimeout(() => {
        this.#timer = null;
        this.#deliver();
      }, wait);
      return;
    }
    const value = this.#items.shift() as T;
    this.#options.onSize?.(-1);
    const dropped = this.#dropped;
    this.#dropped = 0;
    if (this.#options.minIntervalMs) this.#notBefore = Date.now() + this.#options.minIntervalMs;
    const waiting = this.#waiting;
    this.#waiting = null;
    waiting({ value: { value, dropped }, done: false });
    if (this.#ending && !this.#items.length) this.close();
  }

  next(): Promise<IteratorResult<Delivery<T>, undefined>> {
    if (this.#closed) return Promise.resolve(DONE);
    if (this.#waiting) return Promise.reject(new Error('LiveQueue: one next() at a time'));
    return new Promise((resolve) => {
      this.#waiting = resolve;
      this.#deliver();
    });
  }

  return(): Promise<IteratorResult<Delivery<T>, undefined>> {
    this.close();
    return Promise.resolve(DONE);
  }

  throw(error?: unknown): Promise<IteratorResult<Delivery<T>, undefined>> {
    this.close();
    return Promise.reject(error);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

/**
 * Maps an async iterator item by item, one at a time, passing `return()` straight through to
 * the source (so ending the mapped stream ends the source's subscription at once). A value
 * still being mapped when the stream ends is not delivered.
 */
export function mapLive<T, U>(source: AsyncIterator<T>, map: (item: T) => Promise<U>): AsyncIterableIterator<U, undefined> {
  let ended = false;
  const stop = async (): Promise<IteratorResult<U, undefined>> => {
    ended = true;
    await source.return?.();
    return DONE;
  };
  return {
    async next() {
      if (ended) return DONE;
      const item = await source.next();
      if (item.done || ended) return stop();
      const value = await map(item.value);
      return ended ? DONE : { value, done: false };
    },
    return: stop,
    async throw(error?: unknown) {
      await stop();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
