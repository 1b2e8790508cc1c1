/**
 * Ending a long-running command (`serve`, `api`, `download`) on SIGINT/SIGTERM within a bound, in
 * every state. A graceful close gets `graceMs`; then the process ends anyway. Node's own exit joins
 * its thread pool, so a file call that never returns (a hung network drive) would hold
 * `process.exit()` forever: the pool is probed first, and a wedged one ends the process with
 * SIGKILL (the only exit that does not wait on those threads), saying why.
 */
import fs from 'node:fs';

/** SIGTERM must end the process within 2 s: graceful close, pool probe and exit fit in it. */
export const GRACE_MS = 900;
const PROBE_MS = 300;

/** True when a trivial thread-pool call answers: process.exit() will then not hang. */
async function poolAnswers(): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const probe = fs.promises.stat('/').then(
    () => true,
    () => true,
  );
  const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), PROBE_MS)));
  try {
    return await Promise.race([probe, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Ends the process now with `code`, even when a thread of the pool is stuck in a file call. */
export async function exitNow(code: number): Promise<never> {
  if (!(await poolAnswers())) {
    process.stderr.write('hubcap: a file operation never returned (a hung drive?); stopping without waiting for it.\n');
    process.kill(process.pid, 'SIGKILL');
  }
  process.exit(code);
}

/**
 * On SIGINT or SIGTERM: `close()` (servers, core), then exit with `code`; past `graceMs`, or on a
 * second signal, exit without waiting for the close.
 */
export function stopOnSignals(close: () => Promise<unknown>, opts: { code?: number; graceMs?: number } = {}): void {
  const code = opts.code ?? 0;
  let stopping = false;
  const stop = () => {
    if (stopping) {
      void exitNow(code);
      return;
    }
    stopping = true;
    setTimeout(() => void exitNow(code), opts.graceMs ?? GRACE_MS);
    void close()
      .catch((error: unknown) => process.stderr.write(`hubcap: while stopping: ${(error as Error).message}\n`))
      .then(() => exitNow(code));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
