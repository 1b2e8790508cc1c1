/**
 * One teardown path for what an e2e setup starts (a fake Hub, a browser, a `hubcap serve`): each
 * thing is registered as it starts, and closing runs every step once, last started first, even when
 * an earlier step throws, so a test failing midway (or a setup failing halfway) leaks nothing.
 */
export class Teardown {
  readonly #steps: (() => unknown)[] = [];
  #closing: Promise<void> | null = null;

  /** Registers how to stop something that just started; returns it, so a start reads as one line. */
  add<T>(started: T, stop: (started: T) => unknown): T {
    this.#steps.push(() => stop(started));
    return started;
  }

  /** Runs a setup; if it throws, whatever it started so far is stopped before the error goes on. */
  async build<T>(setup: () => Promise<T>): Promise<T> {
    try {
      return await setup();
    } catch (error) {
      await this.close().catch(() => undefined);
      throw error;
    }
  }

  /** Stops everything once: a second call (afterAll after a failed build, two owners) waits on the first. */
  close(): Promise<void> {
    this.#closing ??= this.#run();
    return this.#closing;
  }

  async #run(): Promise<void> {
    const errors: unknown[] = [];
    for (const step of this.#steps.splice(0).reverse()) {
      try {
        await step();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, 'more than one e2e teardown step failed');
  }
}
