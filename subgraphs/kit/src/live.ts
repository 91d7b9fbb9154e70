/**
 * The subgraph side of subscriptions (docs/subscriptions.md). A subgraph's Subscription fields
 * are served from the event stream: each instance reads the topics its feed names with a
 * consumer group of its own (non-durable: it starts at the end and nobody resumes it), turns
 * each event into messages on named channels of an in-process hub, and every subscriber reads
 * one channel through a bounded queue. The gateway is the only client (graphql-ws, see
 * live-server.ts); it shares one upstream subscription among its identical subscribers.
 */
import { randomUUID } from 'node:crypto';
import { type CloudEvent, decodeEvent, EmbeddedTransport, type EventTransport } from '@comanda/kafka';
import pg from 'pg';
import type { SubgraphContext } from './context.ts';
import { appDatabaseUrl } from './db.ts';
import { canUseStore, type Identity } from './identity.ts';
import { type Delivery, LiveQueue } from './live-queue.ts';
import type { Logger } from './log.ts';

/** What a channel carries: the payload of a Subscription field and the scope of its event. */
export interface LiveMessage<TPayload = unknown> {
  payload: TPayload;
  tenantId: string;
  storeId: string | null;
  eventId: string;
  /** when the change happened: the event's time */
  time: string;
  traceparent: string | null;
}

export type LiveDelivery = Delivery<LiveMessage>;

/** What feeds a subgraph's Subscription fields (SubgraphModule.live). */
export interface LiveFeed {
  /** topics to read, e.g. `comanda.orders.order.v1` */
  topics: string[];
  /** what an event means for the Subscription fields: zero or more `hub.publish` calls */
  route: (event: CloudEvent, hub: LiveHub) => void;
}

/** A channel: one Subscription field, one tenant, one key (a store, a printer). */
export function liveChannel(field: string, tenantId: string, key: string): string {
  return `${field}\u0000${tenantId}\u0000${key.toLowerCase()}`;
}

const fieldOf = (channel: string) => channel.slice(0, channel.indexOf('\u0000'));

/** A message for an event; its scope is the event's tenant and store (or the store named here). */
export function liveMessage<TPayload>(event: CloudEvent, payload: TPayload, storeId: string | null = event.storeid): LiveMessage<TPayload> {
  return { payload, tenantId: event.tenantid, storeId, eventId: event.id, time: event.time, traceparent: event.traceparent };
}

/** The usual `resolve` of a Subscription field: the payload its channel carries (the root value of each event's execution). */
export const livePayload = (message: LiveMessage): unknown => message.payload;

/** Whether an identity may see a message: its tenant, and a store in its scope. Checked per message. */
export function inScope(identity: Identity, message: Pick<LiveMessage, 'tenantId' | 'storeId'>): boolean {
  return message.tenantId === identity.tenantId && (message.storeId === null || canUseStore(identity, message.storeId));
}

export interface LiveSubscribeOptions {
  /** deliver the newest message at most once per this many ms instead of every message */
  coalesceMs?: number;
}

interface Listener {
  identity: Identity;
  queue: LiveQueue<LiveMessage>;
}

/** The in-process pub/sub of one subgraph instance. Publishing never waits for a subscriber. */
export class LiveHub {
  readonly #channels = new Map<string, Set<Listener>>();
  readonly #perField = new Map<string, number>();
  readonly #capacity: number;

  constructor(options: { capacity?: number } = {}) {
    this.#capacity = options.capacity ?? 256;
  }

  /** Delivers to the channel's subscribers whose scope admits the message; returns how many. */
  publish(channel: string, message: LiveMessage): number {
    let delivered = 0;
    for (const listener of this.#channels.get(channel) ?? []) {
      if (inScope(listener.identity, message) && listener.queue.push(message)) delivered += 1;
    }
    return delivered;
  }

  subscribe(channel: string, identity: Identity, options: LiveSubscribeOptions = {}): LiveQueue<LiveMessage> {
    const field = fieldOf(channel);
    let listeners = this.#channels.get(channel);
    if (!listeners) {
      listeners = new Set();
      this.#channels.set(channel, listeners);
    }
    const listener: Listener = {
      identity,
      queue: new LiveQueue<LiveMessage>({
        ...(options.coalesceMs
          ? { overflow: 'keep-latest', minIntervalMs: options.coalesceMs }
          : { overflow: 'drop-oldest', capacity: this.#capacity }),
        onClose: () => {
          listeners.delete(listener);
          if (!listeners.size) this.#channels.delete(channel);
          this.#perField.set(field, (this.#perField.get(field) ?? 1) - 1);
        },
      }),
    };
    listeners.add(listener);
    this.#perField.set(field, (this.#perField.get(field) ?? 0) + 1);
    return listener.queue;
  }

  /** Subscribers per Subscription field (the `live_subscribers` gauge). */
  subscribers(): Map<string, number> {
    return new Map(this.#perField);
  }

  /** Ends every subscription. */
  close(): void {
    for (const listeners of [...this.#channels.values()]) for (const listener of [...listeners]) listener.queue.close();
  }
}

/** The hub of the subgraph instance serving this request (set on subscription contexts). */
export function liveOf(ctx: SubgraphContext): LiveHub {
  if (!ctx.live) throw new Error('this subgraph serves no subscriptions (SubgraphModule.live is not set)');
  return ctx.live;
}

/** Recently seen event ids: the transport delivers at least once, a subscriber should see an event once. */
class RecentIds {
  readonly #ids = new Set<string>();
  readonly #max: number;
  constructor(max: number) {
    this.#max = max;
  }
  /** true the first time */
  add(id: string): boolean {
    if (this.#ids.has(id)) return false;
    this.#ids.add(id);
    if (this.#ids.size > this.#max) this.#ids.delete(this.#ids.values().next().value as string);
    return true;
  }
}

export interface LiveFeedOptions {
  subgraph: string;
  feed: LiveFeed;
  hub: LiveHub;
  transport: EventTransport;
  log: Logger;
  /** the cluster admin URL: with the embedded transport, the feed's offsets rows are removed on stop */
  databaseUrl: string;
  /** counts routed events */
  onEvent?: () => void;
}

export const liveGroupPrefix = (subgraph: string) => `comanda.${subgraph}.live.`;

/**
 * The embedded log keeps a row per group and topic in events.group_offset. A live group is used
 * by one process for its lifetime, so its rows go when it stops; rows of instances that died
 * without stopping are removed by the next instance to start, once no session holds the
 * group's advisory lock (the embedded transport's active member holds it) and they are idle.
 */
async function sweepLiveGroups(relayUrl: string, where: { groupId: string } | { prefix: string }): Promise<void> {
  const client = new pg.Client({ connectionString: relayUrl });
  client.on('error', () => {}); // a lost connection fails the query below; this keeps it from crashing the process
  await client.connect();
  try {
    if ('groupId' in where) {
      await client.query('delete from events.group_offset where group_id = $1', [where.groupId]);
      return;
    }
    await client.query(
      `delete from events.group_offset g
        where starts_with(g.group_id, $1) and g.updated_at < now() - interval '10 minutes'
          and not exists (select 1 from pg_locks l
                           where l.locktype = 'advisory' and l.objsubid = 1
                             and ((l.classid::bigint << 32) | l.objid::bigint) = hashtext('comanda-group:' || g.group_id || ':' || g.topic)::bigint)`,
      [where.prefix],
    );
  } finally {
    await client.end();
  }
}

/** Starts reading the feed's topics into the hub; resolves to its stopper. */
export async function startLiveFeed(options: LiveFeedOptions): Promise<() => Promise<void>> {
  const { subgraph, feed, hub, transport, log } = options;
  const groupId = `${liveGroupPrefix(subgraph)}${randomUUID()}`;
  const embedded = transport instanceof EmbeddedTransport;
  const relayUrl = appDatabaseUrl(options.databaseUrl, 'relay');
  if (embedded)
    await sweepLiveGroups(relayUrl, { prefix: liveGroupPrefix(subgraph) }).catch((err) => log.warn({ err }, 'live: sweeping stale groups failed'));
  const seen = new RecentIds(4096);
  const stop = await transport.subscribe({
    groupId,
    topics: feed.topics,
    // a live feed reports what happens from now on; clients catch up with queries (docs/subscriptions.md)
    fromBeginning: false,
    handle: async (message) => {
      let event: CloudEvent;
      try {
        event = decodeEvent(message);
      } catch {
        return; // not an event: the durable consumers dead-letter it, a live feed just skips it
      }
      if (!seen.add(event.id)) return;
      try {
        feed.route(event, hub);
        options.onEvent?.();
      } catch (err) {
        // never stall the feed on one event: a redelivery would fail the same way
        log.warn({ err, eventId: event.id, type: event.type }, 'live: routing an event failed');
      }
    },
  });
  log.debug({ groupId, topics: feed.topics }, 'live feed started');
  return async () => {
    await stop();
    if (embedded) await sweepLiveGroups(relayUrl, { groupId }).catch((err) => log.warn({ err, groupId }, 'live: removing the group failed'));
  };
}
