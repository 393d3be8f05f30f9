import { defineConfig } from 'vite';
import { bundleBudget } from './src/build/budget.js';

// Preact through the automatic JSX runtime (no Babel preset needed); charts and QR codes are split into lazy chunks
// by dynamic imports in the app, so only the shell counts towards the initial-JS budget.
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: { target: 'es2022', sourcemap: false, reportCompressedSize: false },
  plugins: [bundleBudget()],
  server: { proxy: { '/v1': 'http://127.0.0.1:3000' } },
});
