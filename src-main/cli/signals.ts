/**
 * Ending a long-running command (`serve`, `api`, `download`, `mirror`) on SIGINT/SIGTERM within a
 * bound, in every state. A graceful close gets `graceMs`; then the process ends by the signal it
 * was sent, re-raised with its default action, as Unix tools do after cleaning up (exit status
 * 128 + signal). Not `process.exit()`: Node's exit joins its thread pool, so one file call that
 * never returns (a FIFO opened by anyone, a hung network drive) would hold it forever.
 */

/** SIGTERM must end the process within 2 s: the graceful close gets most of it. */
export const GRACE_MS = 900;

/** Ends the process now by `signal`'s default action (immediate: nothing waits on pool threads). */
export function dieBy(signal: NodeJS.Signals): never {
  process.removeAllListeners(signal);
  process.kill(process.pid, signal);
  // A signal a process sends itself is delivered before kill() returns; should it not be, wait a
  // moment without the event loop (nothing here may depend on the pool), then end for certain.
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
  process.kill(process.pid, 'SIGKILL');
  throw new Error('unreachable');
}

/**
 * On SIGINT or SIGTERM: `close()` (servers, core), then end by that signal; past `graceMs`, or on
 * a second signal, without waiting for the close.
 */
export function stopOnSignals(close: () => Promise<unknown>, opts: { graceMs?: number } = {}): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) dieBy(signal);
    stopping = true;
    setTimeout(() => {
      process.stderr.write('hubcap: stopping did not finish in time (a file or network call did not return); stopping now.\n');
      dieBy(signal);
    }, opts.graceMs ?? GRACE_MS);
    void close()
      .catch((error: unknown) => process.stderr.write(`hubcap: while stopping: ${(error as Error).message}\n`))
      .then(() => dieBy(signal));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
