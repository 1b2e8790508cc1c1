/** The one error the header readers throw: a dropped file is never trusted, and never crashes us. */
export type FormatProblem = 'NOT_GGUF' | 'NOT_SAFETENSORS' | 'UNSUPPORTED_VERSION' | 'TRUNCATED' | 'CORRUPT' | 'TOO_LARGE';

export class FormatError extends Error {
  readonly problem: FormatProblem;
  constructor(problem: FormatProblem, message: string) {
    super(message);
    this.name = 'FormatError';
    this.problem = problem;
  }
}

/** Random access to a file's bytes (a local file or HTTP ranges). Returns at most `length` bytes. */
export type ReadAt = (offset: number, length: number) => Promise<Buffer>;
