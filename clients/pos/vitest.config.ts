import { svelte } from '@sveltejs/vite-plugin-svelte';
import { svelteTesting } from '@testing-library/svelte/vite';
import { defineProject } from 'vitest/config';

/** The POS's component and module tests: jsdom, fake-indexeddb, Svelte's browser build. */
export default defineProject({
  root: import.meta.dirname,
  plugins: [svelte({ configFile: false }), svelteTesting()],
  test: {
    name: 'pos',
    environment: 'jsdom',
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
  },
});
