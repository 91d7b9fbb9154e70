import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';
import { serviceWorker } from './sw-plugin.ts';

/**
 * Served by the gateway at /pos (npm start), so the app talks to the same origin's /graphql;
 * `npm run dev -w @comanda/pos` proxies /graphql (and its WebSocket) and /auth to a running
 * gateway on :4000.
 */
export default defineConfig({
  base: '/pos/',
  plugins: [svelte({ configFile: false }), serviceWorker()],
  build: { target: 'es2022', outDir: 'dist', emptyOutDir: true, sourcemap: false },
  server: {
    port: 5173,
    proxy: {
      '/graphql': { target: 'http://127.0.0.1:4000', ws: true },
      '/auth': { target: 'http://127.0.0.1:4000' },
    },
  },
});
