import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// The lab bundles weft's browser-safe packages. Two Node-only edges are redirected:
// `@weft/runtime` (its Node entry builds worker-thread clusters) to a ghost-mode entry, and
// TensorFlow.js (data-mode reductions, never used in ghost mode) to a stub.
export default defineConfig({
  base: './',
  resolve: {
    alias: [
      { find: /^@weft\/runtime$/, replacement: here('./src/shims/runtime.ts') },
      { find: /^@tensorflow\/.*$/, replacement: here('./src/shims/no-tfjs.ts') },
    ],
  },
  worker: { format: 'es' },
  build: { outDir: 'site', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 2048 },
});
