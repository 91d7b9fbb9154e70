/**
 * `npm run events:replay`: move a consumer group back on a topic, or republish a dead-letter
 * topic, on Kafka (KAFKA_BROKERS) or the embedded log (DATABASE_URL). kafka/src/replay.ts does
 * the work; docs/events-operations.md is the runbook.
 *
 *   node kafka/scripts/replay.ts --topic comanda.orders.order.v1 --group comanda.fiscal.receipts --from-time 2025-03-01T08:00:00Z
 *   node kafka/scripts/replay.ts --dlq comanda.orders.order.v1.dlq --consumer fiscal.receipts --dry-run
 *
 * Exit codes: 0 done, 1 the replay failed or cannot be done as asked, 2 bad arguments.
 */
import {
  parseReplayArgs,
  REPLAY_USAGE,
  type ReplayCommand,
  ReplayError,
  type ReplayTarget,
  replayDeadLetters,
  replayTargetFromEnv,
  rewindGroup,
  UsageError,
} from '../src/replay.ts';

const say = (line: string) => console.log(`[events:replay] ${line}`);

// kafkajs 2.2.4 schedules a negative timeout when idle and Node warns about it (docs/kafka-local.md):
// harmless, and noise in an operator's output; other warnings still show
process.removeAllListeners('warning');
process.on('warning', (warning) => {
  if (warning.name !== 'TimeoutNegativeWarning') console.error(`[events:replay] ${warning.name}: ${warning.message}`);
});

let command: ReplayCommand;
let target: ReplayTarget;
try {
  command = parseReplayArgs(process.argv.slice(2));
  if (command.kind === 'help') {
    console.log(REPLAY_USAGE);
    process.exit(0);
  }
  target = replayTargetFromEnv();
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  console.error(`[events:replay] ${error.message}\n\n${REPLAY_USAGE}`);
  process.exit(2);
}

try {
  if (command.kind === 'rewind') await rewindGroup(target, command, say);
  else await replayDeadLetters(target, command, say);
} catch (error) {
  // the broker's or the database's own errors say enough; anything else is a bug: its stack helps
  const known = error instanceof ReplayError || /^KafkaJS/.test((error as Error)?.name) || typeof (error as { code?: unknown })?.code === 'string';
  say(`failed: ${known ? (error as Error).message : String((error as Error)?.stack ?? error)}`);
  process.exitCode = 1;
}
