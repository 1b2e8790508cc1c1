/**
 * A worker thread run from its TypeScript source, through tsx's loader registered inside the worker:
 * how tests and `tsx` start the workers a build ships as bundles of their own (publish-worker.js,
 * xet-decode-worker.js).
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

export function sourceWorker(source: string, workerData?: unknown): Worker {
  // tsx's ESM API (its package exports name it), imported by URL so no resolution depends on the cwd.
  const tsxDir = path.dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
  const tsx = pathToFileURL(path.join(tsxDir, 'dist/esm/api/index.mjs')).href;
  const bootstrap = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(pathToFileURL(source).href)}); })`;
  return new Worker(bootstrap, { eval: true, workerData });
}
