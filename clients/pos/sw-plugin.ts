import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Plugin } from 'vite';

/**
 * Writes dist/sw.js: src/service-worker.js with the list of this build's files to precache and
 * a version derived from them, so a till that reloads without a network still gets the app.
 */
export function serviceWorker(): Plugin {
  return {
    name: 'comanda-pos-service-worker',
    apply: 'build',
    enforce: 'post',
    generateBundle(_options, bundle) {
      const files = Object.keys(bundle)
        .filter((name) => !name.endsWith('.map') && name !== 'index.html')
        .sort();
      const version = createHash('sha256').update(files.join('\n')).digest('hex').slice(0, 12);
      const source = readFileSync(new URL('./src/service-worker.js', import.meta.url), 'utf8');
      this.emitFile({
        type: 'asset',
        fileName: 'sw.js',
        source: `const PRECACHE = ${JSON.stringify(['./', ...files])};\nconst VERSION = '${version}';\n${source}`,
      });
    },
  };
}
