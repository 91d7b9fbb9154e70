/**
 * The event transport: the one seam between Comanda's outbox relay / consumer runtime and
 * whatever carries events (Kafka through kafkajs, or the embedded PostgreSQL transport).
 * Both implementations pass kafka/test/transport-suite.ts; the guarantees below are what
 * that suite checks.
 */

/** A message to publish. */
export interface OutboundMessage {
  /** a catalog topic, `comanda.<subgraph>.<aggregate>.v1` (or its `.dlq`) */
  topic: string;
  /** the aggregate id: messages with one key keep their order */
  key: string;
  /** the CloudEvents 1.0 JSON envelope, serialized (see envelope.ts) */
  value: string;
  /** W3C `traceparent`, `content-type`, `ce_type`, `ce_id`; strings only */
  headers?: Record<string, string>;
}

/** A message as a subscriber receives it. */
export interface InboundMessage {
  topic: string;
  partition: number;
  /** decimal string: Kafka offsets are 64-bit */
  offset: string;
  key: string | null;
  value: string;
  headers: Record<string, string>;
  /** when the broker (or the log) accepted it, ISO 8601 */
  timestamp: string;
  /**
   * 1 on the first delivery in this process, then 2, 3, ... while `handle` keeps rejecting.
   * A consumer runtime uses it to decide when to dead-letter; it restarts at 1 after a restart.
   */
  attempt: number;
}

export interface Subscription {
  groupId: string;
  topics: string[];
  /**
   * Where a group without committed offsets starts: at the oldest retained message, or after
   * the last message present when `subscribe` resolves. A group with committed offsets always
   * resumes from them. Reactions want `true`: a group that has not committed yet (just deployed,
   * or its partitions moved to another member before its first commit) then loses nothing.
   */
  fromBeginning: boolean;
  /**
   * Called one message at a time per partition, in partition order (so in key order). Resolve:
   * the message is done and its offset may be committed. Reject: it is delivered again (after a
   * backoff, with `attempt` + 1) and nothing after it on that partition is delivered meanwhile.
   * Delivery is at least once: after a crash, handled messages whose offsets were not yet
   * committed come again, so handlers deduplicate (inbox table keyed by the envelope id).
   */
  handle: (message: InboundMessage) => Promise<void>;
}

export interface TransportHealth {
  ok: boolean;
  /** one human line: the cluster seen, or why it is not reachable */
  detail: string;
}

/** Stops one subscription; resolves once no `handle` call is running and offsets are committed. */
export type Stopper = () => Promise<void>;

export interface EventTransport {
  /**
   * Publishes a batch; resolves once every message is durably acknowledged (Kafka: acks=all)
   * and rejects if any is not, in which case the caller retries the whole batch (the
   * idempotent producer and consumer inboxes make a re-send harmless). Messages of one key keep
   * the order they have in the batch, and batches published one after another keep theirs.
   */
  publish(batch: OutboundMessage[]): Promise<void>;
  /** Resolves once the subscriber is assigned its partitions and positioned (see fromBeginning). */
  subscribe(subscription: Subscription): Promise<Stopper>;
  /** Never rejects and never hangs for more than a few seconds. */
  health(): Promise<TransportHealth>;
  /** Stops every subscription and releases connections. */
  close(): Promise<void>;
}
