/**
 * Resolves once the work React's scheduler had queued has run. In Node the scheduler posts its work
 * with setImmediate and, after a few ms of it, yields and posts the rest the same way: two turns of
 * setImmediate run both.
 */
export async function settleReact(): Promise<void> {
  for (let turn = 0; turn < 2; turn++) await new Promise<void>((resolve) => setImmediate(resolve));
}
