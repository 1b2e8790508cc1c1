/**
 * How each domain declares its part of the contract: a request is a name, a zod input schema
 * (validated in the core before any handler runs) and a result type; an event is a name and a
 * payload type. The domain files hold these; api.ts only merges them into one table.
 */
import { z } from 'zod';

export interface RequestDef<I extends z.ZodType, O> {
  input: I;
  /** Phantom: carries the result type only. */
  output?: O;
}

export const request =
  <O>() =>
  <I extends z.ZodType>(input: I): RequestDef<I, O> => ({ input });

export interface EventDef<P> {
  /** Phantom: carries the payload type only. */
  payload?: P;
}

export const event = <P>(): EventDef<P> => ({});

/** A request without input. */
export const Empty = z.object({}).strict();
