/** Builds the web app from ui/ into dist/ui, which `onsky serve` serves. */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: here,
  base: './',
  build: {
    outDir: fileURLToPath(new URL('../dist/ui', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // Pages and uPlot load on demand, so the first paint needs only the shell.
    modulePreload: { polyfill: false },
    reportCompressedSize: true,
  },
});
