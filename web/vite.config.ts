import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/** The buyer app: built to web/dist, which ingress serves (same origin as the API). */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  publicDir: false,
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: false, assetsInlineLimit: 0 },
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
});
