/**
 * A real single-node Apache Kafka broker for development and tests, with nothing but Java 17+
 * and Maven: the jars come from Maven Central (cached in kafka/.local), the storage is
 * formatted for KRaft once, and the broker listens on 127.0.0.1:9092 (controller 9093).
 *
 *   node kafka/scripts/local-broker.ts            run in the foreground until Ctrl-C / SIGTERM
 *   node kafka/scripts/local-broker.ts --detach   start in the background, wait until it answers, exit 0
 *   node kafka/scripts/local-broker.ts --stop     stop the background (or foreground) broker
 *   add --reset to start from empty storage (the broker must be stopped)
 *
 * Env: KAFKA_VERSION (default below), KAFKA_HEAP_OPTS (-Xms128m -Xmx512m), KAFKA_LOG_LEVEL (warn),
 * KAFKA_LOCAL_DIR (kafka/.local), KAFKA_START_TIMEOUT_MS (120000).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import {
  BROKER_PORT,
  DEFAULT_KAFKA_VERSION,
  HOST,
  javaArgs,
  layout,
  MAVEN_DEPENDENCY_PLUGIN,
  newClusterId,
  pomXml,
  serverProperties,
  storageFormatArgs,
} from './local-broker-config.ts';

const say = (line: string) => console.log(`[kafka:local] ${line}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const { values: flags } = parseArgs({
  options: { detach: { type: 'boolean', default: false }, stop: { type: 'boolean', default: false }, reset: { type: 'boolean', default: false } },
});
const version = process.env.KAFKA_VERSION ?? DEFAULT_KAFKA_VERSION;
const root = resolve(process.env.KAFKA_LOCAL_DIR ?? join(dirname(fileURLToPath(import.meta.url)), '..', '.local'));
const paths = layout(root, version);
const startTimeoutMs = Number(process.env.KAFKA_START_TIMEOUT_MS ?? 120_000);
const bootstrap = `${HOST}:${BROKER_PORT}`;

/** The cluster id when a broker answers on 127.0.0.1:9092, null otherwise; never waits long. */
async function answeringCluster(): Promise<string | null> {
  const admin = new Kafka({
    clientId: 'comanda-local-broker',
    brokers: [bootstrap],
    connectionTimeout: 1000,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length ? cluster.clusterId : null;
  } catch {
    return null;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The broker's pid from the pid file, if that process is alive and still a Kafka broker. */
function runningBrokerPid(): number | null {
  if (!existsSync(paths.pidFile)) return null;
  const pid = Number(readFileSync(paths.pidFile, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) return null;
  try {
    // a recycled pid must not be mistaken for the broker (and killed by --stop)
    if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('kafka.Kafka')) return null;
  } catch {
    // no /proc (macOS): trust the pid file
  }
  return pid;
}

/**
 * Runs a command to completion. Its output goes to `logFd` when given; otherwise it is kept and
 * shown only if the command fails (mvn -q still writes colour resets on success).
 */
function run(command: string, args: string[], options: { logFd?: number } = {}): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const logFd = options.logFd;
    const child =
      logFd === undefined ? spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] }) : spawn(command, args, { stdio: ['ignore', logFd, logFd] });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk;
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk;
    });
    child.on('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'ENOENT'
          ? new Error(`${command} is not installed or not on PATH (apt-get install -y ${command === 'mvn' ? 'maven' : 'openjdk-17-jre-headless'})`)
          : error,
      ),
    );
    child.on('close', (code, signal) => {
      if (code === 0) return resolvePromise();
      // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping terminal colour codes
      const shown = output.replace(/\x1b\[[0-9;]*m/g, '').trim();
      reject(new Error(`${command} ${args.slice(0, 4).join(' ')} ... failed (${signal ?? `exit ${code}`})${shown ? `:\n${shown}` : ''}`));
    });
  });
}

async function ensureJars(): Promise<void> {
  if (existsSync(paths.libComplete)) {
    say(`Kafka ${version} jars cached in ${paths.libDir}`);
    return;
  }
  say(`fetching Apache Kafka ${version} (org.apache.kafka:kafka_2.13) and slf4j-simple from Maven Central with mvn ...`);
  mkdirSync(paths.versionDir, { recursive: true });
  writeFileSync(paths.pom, pomXml(version));
  rmSync(paths.libDir, { recursive: true, force: true });
  await run('mvn', [
    '-q',
    '-B',
    '-Dstyle.color=never',
    '-f',
    paths.pom,
    `${MAVEN_DEPENDENCY_PLUGIN}:copy-dependencies`,
    `-DoutputDirectory=${paths.libDir}`,
    '-DincludeScope=runtime',
  ]);
  const jars = readdirSync(paths.libDir).filter((name) => name.endsWith('.jar'));
  if (!jars.includes(`kafka_2.13-${version}.jar`)) throw new Error(`mvn finished but ${paths.libDir} has no kafka_2.13-${version}.jar`);
  writeFileSync(paths.libComplete, `${jars.sort().join('\n')}\n`);
  say(`${jars.length} jars in ${paths.libDir}`);
}

async function ensureStorage(logFd: number | undefined): Promise<void> {
  writeFileSync(paths.properties, serverProperties(paths.dataDir));
  if (flags.reset && existsSync(paths.dataDir)) {
    say(`--reset: deleting ${paths.dataDir}`);
    rmSync(paths.dataDir, { recursive: true, force: true });
  }
  if (existsSync(join(paths.dataDir, 'meta.properties'))) return;
  const clusterId = newClusterId();
  say(`formatting KRaft storage in ${paths.dataDir} (cluster id ${clusterId}, standalone controller)`);
  await run('java', storageFormatArgs(paths.libDir, paths.properties, clusterId), { logFd });
}

/** Resolves when the broker answers; rejects if `child` exits first or the time runs out. */
async function waitUntilAnswering(isGone: () => string | null): Promise<string> {
  const deadline = Date.now() + startTimeoutMs;
  while (Date.now() < deadline) {
    const cluster = await answeringCluster();
    if (cluster) return cluster;
    const gone = isGone();
    if (gone) throw new Error(gone);
    await sleep(500);
  }
  throw new Error(`no answer on ${bootstrap} after ${startTimeoutMs} ms`);
}

function logTail(lines = 30): string {
  try {
    return readFileSync(paths.logFile, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * Runs `start` holding the start lock, so a second `--detach` started meanwhile (two test runs,
 * CI and a developer) waits for the first one's broker instead of starting another.
 */
async function withStartLock(start: () => Promise<void>): Promise<void> {
  mkdirSync(root, { recursive: true });
  const ownerFile = join(paths.startLock, 'pid');
  const holder = () => (existsSync(ownerFile) ? Number(readFileSync(ownerFile, 'utf8')) || 0 : 0);
  for (;;) {
    try {
      mkdirSync(paths.startLock);
      writeFileSync(ownerFile, String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (!holder()) await sleep(1000); // it may be between creating the lock and writing its pid
    const pid = holder();
    if (pid && alive(pid)) {
      say(`another process (pid ${pid}) is starting the broker; waiting for it`);
      const cluster = await waitUntilAnswering(() => (alive(pid) && existsSync(paths.startLock) ? null : `the other starter (pid ${pid}) gave up`));
      say(`broker answers on ${bootstrap} (cluster ${cluster})`);
      return;
    }
    // its starter died: take the lock over
    rmSync(paths.startLock, { recursive: true, force: true });
  }
  try {
    await start();
  } finally {
    rmSync(paths.startLock, { recursive: true, force: true });
  }
}

function spawnBroker(detached: boolean): ChildProcess {
  const args = javaArgs(paths.libDir, paths.properties);
  if (detached) {
    const logFd = openSync(paths.logFile, 'a');
    const child = spawn('java', args, { cwd: paths.versionDir, detached: true, stdio: ['ignore', logFd, logFd] });
    closeSync(logFd);
    child.unref();
    return child;
  }
  return spawn('java', args, { cwd: paths.versionDir, stdio: 'inherit' });
}

async function stop(): Promise<void> {
  const pid = runningBrokerPid();
  if (!pid) {
    rmSync(paths.pidFile, { force: true });
    say(
      (await answeringCluster())
        ? `a broker answers on ${bootstrap} but was not started by this script; leaving it alone`
        : 'no local broker running',
    );
    return;
  }
  say(`stopping broker (pid ${pid}) ...`);
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 60_000;
  while (alive(pid) && Date.now() < deadline) await sleep(250);
  if (alive(pid)) {
    say('still running after 60 s: SIGKILL');
    process.kill(pid, 'SIGKILL');
  }
  // a --detach may have started a new broker meanwhile: its pid file is not ours to remove
  if (existsSync(paths.pidFile) && readFileSync(paths.pidFile, 'utf8').trim() === String(pid)) rmSync(paths.pidFile, { force: true });
  say('stopped');
}

async function detach(): Promise<void> {
  const existing = await answeringCluster();
  if (existing && flags.reset) {
    say(`a broker answers on ${bootstrap} (cluster ${existing}); stop it (--stop) before --reset`);
    process.exitCode = 1;
    return;
  }
  if (existing) {
    say(`a broker already answers on ${bootstrap} (cluster ${existing}); nothing to start`);
    return;
  }
  await withStartLock(async () => {
    const starting = runningBrokerPid();
    if (starting) {
      say(`broker (pid ${starting}) is starting; waiting for it to answer`);
      await waitUntilAnswering(() => (alive(starting) ? null : `broker pid ${starting} exited; log ${paths.logFile}:\n${logTail()}`));
      return;
    }
    await ensureJars();
    mkdirSync(root, { recursive: true });
    writeFileSync(paths.logFile, `--- ${new Date().toISOString()} kafka:local ${version} ---\n`, { flag: 'a' });
    const logFd = openSync(paths.logFile, 'a');
    try {
      await ensureStorage(logFd);
    } finally {
      closeSync(logFd);
    }
    const child = spawnBroker(true);
    let exit: string | null = null;
    child.on('exit', (code, signal) => {
      exit = `broker exited (${signal ?? `exit ${code}`}) before answering; log ${paths.logFile}:\n${logTail()}`;
    });
    if (!child.pid) throw new Error('java did not start');
    writeFileSync(paths.pidFile, String(child.pid));
    say(`started broker pid ${child.pid}; waiting for ${bootstrap} to answer ...`);
    const cluster = await waitUntilAnswering(() => exit);
    say(`broker ready on ${bootstrap} (cluster ${cluster}, Kafka ${version})`);
    say(`pid ${child.pid}, log ${paths.logFile}; stop it with: node kafka/scripts/local-broker.ts --stop`);
  });
}

async function foreground(): Promise<void> {
  const existing = await answeringCluster();
  if (existing) {
    say(`a broker already answers on ${bootstrap} (cluster ${existing}); stop it first (--stop) to run one in the foreground`);
    process.exitCode = 1;
    return;
  }
  let child: ChildProcess | null = null;
  let stopping = false;
  const exited = new Promise<number | null>((resolveExit) => {
    const onSignal = (signal: NodeJS.Signals) => {
      stopping = true;
      say(`${signal}: stopping the broker ...`);
      if (child?.pid && alive(child.pid)) child.kill('SIGTERM');
      else resolveExit(0);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    void withStartLock(async () => {
      await ensureJars();
      await ensureStorage(undefined);
      if (stopping) return;
      child = spawnBroker(false);
      if (child.pid) writeFileSync(paths.pidFile, String(child.pid));
      child.on('exit', (code, signal) => {
        rmSync(paths.pidFile, { force: true });
        say(`broker exited (${signal ?? `exit ${code}`})`);
        resolveExit(stopping ? 0 : (code ?? 1));
      });
      say(`started broker pid ${child.pid}; waiting for ${bootstrap} to answer ...`);
      const cluster = await waitUntilAnswering(() => (child?.exitCode !== null || child?.signalCode ? 'broker exited before answering' : null));
      say(`broker ready on ${bootstrap} (cluster ${cluster}, Kafka ${version}); Ctrl-C stops it`);
    })
      .then(() => {
        // the lock was held by a `--detach` that started its own broker meanwhile
        if (!child) resolveExit(stopping ? 0 : 1);
      })
      .catch((error: Error) => {
        say(`failed: ${error.message}`);
        if (child?.pid && alive(child.pid)) child.kill('SIGTERM');
        else resolveExit(1);
      });
  });
  process.exitCode = (await exited) ?? 1;
}

try {
  if (flags.stop) await stop();
  else if (flags.detach) await detach();
  else await foreground();
} catch (error) {
  say(`failed: ${(error as Error).message}`);
  process.exitCode = 1;
}
