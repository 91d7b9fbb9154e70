import { createReadStream, existsSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where `npm run pos:build` (vite build in clients/pos) writes the POS. */
export const POS_DIST = fileURLToPath(new URL('../../clients/pos/dist/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

const NOT_BUILT = `<!doctype html><html lang="en"><meta charset="utf-8"><title>POS not built</title>
<body style="font:16px system-ui;margin:3rem"><h1>The POS is not built yet</h1>
<p>Build it once with <code>npm run pos:build</code> (npm start does it when it is missing), then reload.</p></body></html>`;

function file(res: ServerResponse, path: string, cache: string): void {
  res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream', 'cache-control': cache });
  createReadStream(path).pipe(res);
}

/**
 * The POS at /pos: built files as they are, and index.html for any other path under /pos
 * (the app's own screens). Hashed assets are cached for good; index.html and the service
 * worker never, so a new build reaches the tills on their next load.
 */
export function posRoute(dist = POS_DIST): (req: IncomingMessage, res: ServerResponse) => boolean {
  return (req, res) => {
    const { pathname } = new URL(req.url ?? '/', 'http://localhost');
    if (pathname !== '/pos' && !pathname.startsWith('/pos/')) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return true;
    }
    if (pathname === '/pos') {
      res.writeHead(301, { location: '/pos/' }).end();
      return true;
    }
    const index = join(dist, 'index.html');
    if (!existsSync(index)) {
      res.writeHead(404, { 'content-type': 'text/html; charset=utf-8' }).end(NOT_BUILT);
      return true;
    }
    let relative: string;
    try {
      relative = normalize(decodeURIComponent(pathname.slice('/pos/'.length)));
    } catch {
      relative = '';
    }
    const candidate = join(dist, relative);
    const inside = candidate.startsWith(dist.endsWith(sep) ? dist : dist + sep);
    if (relative && inside && existsSync(candidate) && statSync(candidate).isFile()) {
      const immutable = relative.startsWith(`assets${sep}`);
      file(res, candidate, immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
      return true;
    }
    // a missing asset is a 404 (a stale page asking for an old build), any other path is a screen
    if (relative.startsWith(`assets${sep}`)) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return true;
    }
    file(res, index, 'no-cache');
    return true;
  };
}
