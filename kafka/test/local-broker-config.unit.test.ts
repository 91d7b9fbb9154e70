import { describe, expect, it } from 'vitest';
import {
  DEFAULT_KAFKA_VERSION,
  javaArgs,
  layout,
  newClusterId,
  pomXml,
  SLF4J_VERSION,
  serverProperties,
  storageFormatArgs,
} from '../scripts/local-broker-config.ts';

const properties = (text: string) =>
  Object.fromEntries(
    text
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => l.split(/=(.*)/s).slice(0, 2)),
  );

describe('local broker configuration', () => {
  it('runs one KRaft node as broker and controller on 127.0.0.1:9092 / 9093, without auto-created topics', () => {
    const config = properties(serverProperties('/data/kafka'));
    expect(config).toMatchObject({
      'process.roles': 'broker,controller',
      'node.id': '1',
      listeners: 'PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093',
      'advertised.listeners': 'PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093',
      'controller.quorum.bootstrap.servers': '127.0.0.1:9093',
      'controller.listener.names': 'CONTROLLER',
      'log.dirs': '/data/kafka',
      'auto.create.topics.enable': 'false',
      'offsets.topic.replication.factor': '1',
      'transaction.state.log.replication.factor': '1',
    });
  });

  it('fetches kafka_2.13 with slf4j-simple and a matching slf4j-api', () => {
    const pom = pomXml('4.4.0');
    expect(pom).toContain('<groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>4.4.0</version>');
    expect(pom).toContain(`<artifactId>slf4j-simple</artifactId><version>${SLF4J_VERSION}</version>`);
    expect(pom).toContain(`<artifactId>slf4j-api</artifactId><version>${SLF4J_VERSION}</version>`);
    expect(DEFAULT_KAFKA_VERSION).toMatch(/^[34]\.\d+\.\d+$/);
  });

  it('makes KRaft cluster ids of 16 random bytes that never start with a dash', () => {
    const id = newClusterId();
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(Buffer.from(id, 'base64url')).toHaveLength(16);
    expect(newClusterId()).not.toBe(id);
    // 0xf8 encodes to '-' as the first base64url character: such an id is drawn again
    const draws = [Buffer.alloc(16, 0xf8), Buffer.alloc(16, 0x11)];
    expect(newClusterId(() => draws.shift()!)).toBe(Buffer.alloc(16, 0x11).toString('base64url'));
  });

  it('starts java with a small heap unless KAFKA_HEAP_OPTS says otherwise', () => {
    const paths = layout('/x/.local', '4.4.0');
    const args = javaArgs(paths.libDir, paths.properties, {});
    expect(args).toContain('-Xmx512m');
    expect(args.slice(-4)).toEqual(['-cp', '/x/.local/kafka-4.4.0/lib/*', 'kafka.Kafka', '/x/.local/kafka-4.4.0/server.properties']);
    const big = javaArgs(paths.libDir, paths.properties, { KAFKA_HEAP_OPTS: '-Xms1g  -Xmx2g' });
    expect(big).toContain('-Xmx2g');
    expect(big).not.toContain('-Xmx512m');
  });

  it('formats storage for a standalone controller with the given cluster id', () => {
    const args = storageFormatArgs('/lib', '/server.properties', 'abc');
    expect(args).toEqual(
      expect.arrayContaining(['kafka.tools.StorageTool', 'format', '--cluster-id', 'abc', '--config', '/server.properties', '--standalone']),
    );
  });
});
