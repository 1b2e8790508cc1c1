/**
 * What can be wrong with Xet data from the network, each a kind of its own so callers can say
 * which (and tests can assert it). These are facts about bytes and plans; the download layer turns
 * them into the user's sentence naming the file.
 */
export type XetProblem =
  /** A chunk header that is not version 0 or claims impossible lengths. */
  | 'chunk-header'
  /** A compression scheme this client does not know. */
  | 'chunk-scheme'
  /** The body ended inside a chunk (a compressed length beyond the body). */
  | 'chunk-truncated'
  /** A chunk that does not decompress, or decompresses to another size than its header says. */
  | 'chunk-size'
  /** A reconstruction plan that does not hold together (indices, lengths, coverage, size). */
  | 'plan'
  /** A read token answer that is not one. */
  | 'token'
  /** A multi-range answer that is not well formed. */
  | 'multipart';

export class XetDataError extends Error {
  readonly problem: XetProblem;
  constructor(problem: XetProblem, message: string) {
    super(message);
    this.name = 'XetDataError';
    this.problem = problem;
  }
}
