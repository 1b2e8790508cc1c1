/**
 * What a capability tells the core about itself: its name (the one its service is known by), what
 * it needs from others (by name, typed by the capability as the narrowest shape it uses, so a test
 * passes fakes and no folder imports a higher one), how to build its service, its slice of the
 * contract's handlers, and what it does once everything is wired. The core only lists slices.
 *
 * Needs are reached lazily: a slice may name a service built after it, as long as it only touches
 * it inside a callback (an event handler, a request handler), never while being built.
 */
import type { Handlers } from '../contract/handlers';

export interface Slice<Name extends string, Needs, Service, H extends Partial<Handlers> = Partial<Handlers>> {
  readonly name: Name;
  readonly needs: readonly (keyof Needs & string)[];
  /** Builds the service. Method syntax on purpose: a list of slices is checked as a whole by the core. */
  create(needs: Needs): Service;
  /** This capability's part of the contract's handlers. */
  handlers?(service: Service, needs: Needs): H;
  /** Once every slice is built, in every process (the CLI's one-shot commands included). */
  ready?(service: Service, needs: Needs): void;
  /** Once every slice is built, only in long-lived processes (the app, serve): ports, timers, background checks. */
  background?(service: Service, needs: Needs): void;
  /** In reverse order at shutdown. */
  close?(service: Service): void | Promise<void>;
}

/** Keeps a slice's literal name and its needs' names checked against its Needs type. */
export function defineSlice<Name extends string, Needs, Service, H extends Partial<Handlers> = Partial<Handlers>>(
  slice: Slice<Name, Needs, Service, H>,
): Slice<Name, Needs, Service, H> {
  return slice;
}
