import { describe, expect, it } from 'vitest';
import { type DeadLetter, describeDeadLetter, parseReplayArgs, planRewind, replayTargetFromEnv, routeDeadLetter, UsageError } from '../src/replay.ts';

describe('events:replay arguments', () => {
  it('reads a rewind by offset or by time, with an optional partition and dry run', () => {
    expect(parseReplayArgs(['--topic', 'comanda.orders.order.v1', '--group', 'comanda.fiscal.keep-sale', '--from-offset', '42'])).toEqual({
      kind: 'rewind',
      topic: 'comanda.orders.order.v1',
      group: 'comanda.fiscal.keep-sale',
      from: { offset: 42n },
      partition: undefined,
      dryRun: false,
    });
    expect(
      parseReplayArgs(['--topic', 't.v1', '--group', 'g', '--from-time', '2025-03-01T08:00:00Z', '--partition', '3', '--dry-run']),
    ).toMatchObject({ kind: 'rewind', from: { time: new Date('2025-03-01T08:00:00Z') }, partition: 3, dryRun: true });
  });

  it('reads a dead-letter replay, optionally one consumer and a start', () => {
    expect(parseReplayArgs(['--dlq', 'comanda.orders.order.v1.dlq'])).toEqual({
      kind: 'dlq',
      dlqTopic: 'comanda.orders.order.v1.dlq',
      consumer: undefined,
      from: undefined,
      partition: undefined,
      dryRun: false,
    });
    expect(parseReplayArgs(['--dlq', 'x.v1.dlq', '--consumer', 'payments.order-account', '--from-time', '2025-03-01', '--dry-run'])).toMatchObject({
      consumer: 'payments.order-account',
      from: { time: new Date('2025-03-01T00:00:00Z') },
      dryRun: true,
    });
    expect(parseReplayArgs(['--help'])).toEqual({ kind: 'help' });
  });

  it.each([
    [[], /give --topic TOPIC --group GROUP/],
    [['--topic', 't', '--dlq', 't.dlq'], /not both/],
    [['--topic', 't', '--from-offset', '1'], /--topic needs --group/],
    [['--topic', 't', '--group', 'g'], /--from-offset N or --from-time/],
    [['--topic', 't', '--group', 'g', '--from-offset', '1', '--from-time', '2025-01-01'], /not both/],
    [['--topic', 't', '--group', 'g', '--from-offset=-1'], /whole number/],
    [['--topic', 't', '--group', 'g', '--from-offset', '1.5'], /whole number/],
    [['--topic', 't', '--group', 'g', '--from-time', 'yesterday'], /ISO 8601/],
    [['--topic', 't', '--group', 'g', '--from-time', '2025-13-45'], /ISO 8601/],
    [['--topic', 't', '--group', 'g', '--from-offset', '1', '--consumer', 'c'], /--consumer goes with --dlq/],
    [['--topic', 't.v1.dlq', '--group', 'g', '--from-offset', '1'], /--dlq t.v1.dlq/],
    [['--topic', 't', '--group', 'g', '--from-offset', '1', '--partition', 'x'], /--partition/],
    [['--dlq', 'comanda.orders.order.v1'], /dead-letter topic/],
    [['--dlq', '.dlq'], /dead-letter topic/],
    [['--dlq', 't.dlq', '--group', 'g'], /--group goes with --topic/],
    [['--dlq', ''], /must not be empty/],
    [['--dlq', 't.dlq', '--frm-offset', '1'], /Unknown option '--frm-offset'/],
    [['--dlq'], /argument missing/],
    [['t.dlq'], /Unexpected argument/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseReplayArgs(argv)).toThrow(UsageError);
    expect(() => parseReplayArgs(argv)).toThrow(message);
  });

  it('takes Kafka when KAFKA_BROKERS is set, the embedded log in DATABASE_URL otherwise, and says when neither is', () => {
    expect(replayTargetFromEnv({ KAFKA_BROKERS: 'a:9092, b:9092', DATABASE_URL: 'postgresql://x/y' })).toEqual({
      kind: 'kafka',
      brokers: ['a:9092', 'b:9092'],
    });
    expect(replayTargetFromEnv({ KAFKA_BROKERS: ' ', DATABASE_URL: 'postgresql://x/y' })).toEqual({
      kind: 'embedded',
      databaseUrl: 'postgresql://x/y',
    });
    expect(() => replayTargetFromEnv({})).toThrow(UsageError);
  });
});

describe('planning a rewind', () => {
  it('moves a partition back only when the group has read past the start', () => {
    expect(planRewind(0, 120n, 95n)).toEqual({ partition: 0, committed: 120n, target: 95n, rewind: true });
    expect(planRewind(1, 90n, 95n).rewind).toBe(false);
    expect(planRewind(2, 95n, 95n).rewind).toBe(false);
    // never committed: the group reads it from its reset policy anyway
    expect(planRewind(3, null, 0n).rewind).toBe(false);
  });
});

describe('routing a dead letter', () => {
  const letter = (headers: Record<string, string>): DeadLetter => ({
    partition: 0,
    offset: '7',
    key: 'order-1',
    value: '{"id":"e1"}',
    headers: { ce_type: 'comanda.orders.order.placed.v1', ce_id: 'e1', traceparent: '00-abc-def-01', ...headers },
  });
  const dead = letter({
    'dlq-consumer': 'payments.order-account',
    'dlq-error': 'boom\n  at handler',
    'dlq-topic': 'comanda.orders.order.v1',
    'dlq-partition': '2',
    'dlq-offset': '41',
    'dlq-failed-at': '2025-03-01T08:00:00.000Z',
  });

  it('sends it back to the topic it failed on, same key and value, without the dlq-* headers', () => {
    expect(routeDeadLetter(dead)).toEqual({
      republish: {
        topic: 'comanda.orders.order.v1',
        key: 'order-1',
        value: '{"id":"e1"}',
        headers: { ce_type: 'comanda.orders.order.placed.v1', ce_id: 'e1', traceparent: '00-abc-def-01' },
      },
    });
    expect(routeDeadLetter(dead, 'payments.order-account')).toHaveProperty('republish');
  });

  it('skips another consumer’s dead letters and messages without a dlq-topic', () => {
    expect(routeDeadLetter(dead, 'fiscal.keep-sale')).toEqual({ skip: 'failed in payments.order-account' });
    expect(routeDeadLetter(letter({}))).toEqual({ skip: expect.stringContaining('no dlq-topic header') });
  });

  it('describes it on one line', () => {
    expect(describeDeadLetter(dead)).toBe(
      '0:7 comanda.orders.order.placed.v1 id=e1 key=order-1 consumer=payments.order-account failed 2025-03-01T08:00:00.000Z: boom at handler',
    );
    expect(describeDeadLetter(letter({ 'dlq-error': 'x'.repeat(500) })).length).toBeLessThan(320);
  });
});
