import type { ParsedInput, RequestName, RequestOutput } from '../contract/api';

/** The core implements every request of the contract exactly once. */
export type Handlers = {
  [K in RequestName]: (input: ParsedInput<K>) => Promise<RequestOutput<K>>;
};
