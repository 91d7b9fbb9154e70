/** The broker the Kafka tests use: the one in KAFKA_BROKERS, or the local one, started when nothing answers. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { brokersFromEnv, KafkaTransport } from '../src/kafkajs-transport.ts';

const silent = { error() {}, warn() {}, info() {}, debug() {} };

export async function brokerAnswers(brokers = brokersFromEnv()): Promise<boolean> {
  const transport = new KafkaTransport({ brokers, logger: silent });
  try {
    return (await transport.health()).ok;
  } finally {
    await transport.close();
  }
}

/** Starts the local broker unless one answers; the first run also downloads Kafka (a minute or two). */
export async function ensureBroker(): Promise<void> {
  if (await brokerAnswers()) return;
  if (process.env.KAFKA_BROKERS) throw new Error(`KAFKA_BROKERS=${process.env.KAFKA_BROKERS} does not answer`);
  const script = fileURLToPath(new URL('../scripts/local-broker.ts', import.meta.url));
  const output: string[] = [];
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, [script, '--detach'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk) => output.push(String(chunk)));
    child.stderr.on('data', (chunk) => output.push(String(chunk)));
    child.on('error', reject);
    child.on('exit', resolve);
  });
  if (code !== 0) throw new Error(`local-broker.ts --detach failed (exit ${code}):\n${output.join('')}`);
}
