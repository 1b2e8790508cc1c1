/**
 * What implementing the contract means, as types: each capability hands the core a slice of
 * handlers for its own requests, and the core's merged table must have every request exactly once.
 */
import type { ParsedInput, RequestName, RequestOutput } from './api';

export type Handler<K extends RequestName> = (input: ParsedInput<K>) => Promise<RequestOutput<K>>;

/** Every request of the contract, implemented. */
export type Handlers = { [K in RequestName]: Handler<K> };

/** The handlers of some requests: a capability's slice. */
export type HandlerSlice<K extends RequestName> = { [P in K]: Handler<P> };

/** The requests whose names start with `prefix.` (e.g. all of `downloads.*`). */
export type RequestsOf<Prefix extends string> = Extract<RequestName, `${Prefix}.${string}`>;

/** A request's optional fields with `undefined` dropped (zod keeps keys the client sent as undefined). */
export function definedFields<T extends object>(o: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}
