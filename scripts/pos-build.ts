/**
 * Builds the POS (vite build in clients/pos -> clients/pos/dist) when it is missing or older
 * than its sources. `npm start` and the browser tests call it; `npm run pos:build` always builds.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const POS = fileURLToPath(new URL('../clients/pos/', import.meta.url));
const BUILT = join(POS, 'dist', 'index.html');
const SOURCES = ['src', 'index.html', 'vite.config.ts', 'sw-plugin.ts', 'public'];

function newest(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((max, name) => Math.max(max, newest(join(path, name))), stat.mtimeMs);
}

export function posBuildIsCurrent(): boolean {
  if (!existsSync(BUILT)) return false;
  const built = statSync(BUILT).mtimeMs;
  return SOURCES.every((source) => newest(join(POS, source)) <= built);
}

export async function buildPos(): Promise<void> {
  const vite = fileURLToPath(new URL('../node_modules/vite/bin/vite.js', import.meta.url));
  await new Promise<void>((resolve, reject) => {
    // NODE_ENV decides import.meta.env.PROD: under vitest it is `test`, which built a POS without
    // its service worker (no offline reload)
    const child = spawn(process.execPath, [vite, 'build', '--logLevel', 'warn'], {
      cwd: POS,
      env: { ...process.env, NODE_ENV: 'production' },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`vite build of the POS exited with ${code}`))));
  });
}

const LOCK = join(POS, '.build-lock');
const STALE_LOCK_MS = 120_000;

/** Builds only when needed; says so. Test files starting side by side build once (a lock directory). */
export async function ensurePosBuilt(say: (line: string) => void = () => {}): Promise<void> {
  for (;;) {
    if (posBuildIsCurrent()) return;
    try {
      mkdirSync(LOCK);
    } catch {
      // another process builds: wait for it, then look again (a lock left by a crash expires)
      if (existsSync(LOCK) && Date.now() - statSync(LOCK).mtimeMs > STALE_LOCK_MS) rmSync(LOCK, { recursive: true, force: true });
      await new Promise((resolve) => setTimeout(resolve, 250));
      continue;
    }
    try {
      if (posBuildIsCurrent()) return;
      say('building the POS (clients/pos -> clients/pos/dist)');
      await buildPos();
      return;
    } finally {
      rmSync(LOCK, { recursive: true, force: true });
    }
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await buildPos();
}
