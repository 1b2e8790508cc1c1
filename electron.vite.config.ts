import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';
import tailwindcss from '@tailwindcss/vite';

// One config for the three bundles (electron-vite): the main bundle also carries the
// `hubcap` CLI entry, so `hubcap serve` runs the very same core code as the desktop shell, and the
// inference host's entry.
export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      // Pure-JS packages bundled in: Node's ESM loader resolves and links each module file on its
      // own (zod alone is ~100 files), which was the largest part of the CLI's start (#25).
      // Native and wasm packages stay external (and so does everything else in dependencies).
      externalizeDeps: { exclude: ['zod', 'birpc'] },
      rolldownOptions: {
        input: {
          index: resolve(import.meta.dirname, 'src-main/electron/main.ts'),
          cli: resolve(import.meta.dirname, 'src-main/cli/hubcap.ts'),
          // The inference host runs in its own process (utilityProcess or a Node child).
          'inference-host': resolve(import.meta.dirname, 'src-main/inference/host/main.ts'),
          // Publishing's upload worker (a worker thread: @huggingface/hub's commit, off the core's thread).
          'publish-worker': resolve(import.meta.dirname, 'src-main/publish/upload-worker.ts'),
          // Xet downloads' decode workers (LZ4, byte regrouping and chunk hashes, off the core's thread).
          'xet-decode-worker': resolve(import.meta.dirname, 'src-main/xet/decode-worker.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // Sandboxed preloads can only require('electron'): birpc must be bundled in.
      externalizeDeps: false,
      // A sandboxed preload cannot be an ES module: it is bundled to one CommonJS file.
      lib: { entry: resolve(import.meta.dirname, 'src-main/electron/preload.ts'), formats: ['cjs'] },
      rolldownOptions: { output: { entryFileNames: 'preload.cjs' } },
    },
  },
  renderer: {
    root: 'src-renderer',
    plugins: [react(), tailwindcss()],
    build: {
      outDir: 'out/renderer',
      // electron-vite leaves bundles unminified; the renderer is minified (the first chunk is what
      // every window parses before its first paint; test/renderer/bundle-size.test.ts bounds it).
      minify: true,
      rolldownOptions: { input: resolve(import.meta.dirname, 'src-renderer/index.html') },
    },
  },
});
