/**
 * For test files that run in a DOM (happy-dom): unmount what a test rendered, then let React's
 * scheduler run what it queued, before the DOM goes away.
 *
 * Without this, an update that lands as a test ends (a mutation settling after `waitFor`) queues a
 * passive-effects flush on a macrotask that reads `window.event`; if the environment is torn down
 * first, it throws "window is not defined" as an unhandled error and fails the whole run.
 * Testing Library only registers its own cleanup when vitest's globals are on, and ours are off.
 */
import { afterEach } from 'vitest';
import { settleReact } from './react-settle';

if (typeof document !== 'undefined') {
  const { cleanup } = await import('@testing-library/react');
  afterEach(async () => {
    cleanup();
    await settleReact();
  });
}
