/**
 * Whether a GGUF on the Hub fits this machine, from its header alone (read over HTTP ranges by
 * remote-header.ts and judged by node-llama-cpp in the host). Kept per commit and file: the answer
 * cannot change for a commit. The model page passes the commit it shows; a branch costs one call.
 */
import type { FitEstimate } from '../contract/inference';
import type { HubHttp } from '../hub/http';
import { resolveCommit } from '../hub/resolve';
import { parseRepoId } from '../hub/repo-id';
import { remoteGgufHeaders } from './remote-header';
import type { InferenceService } from './service';

export class HubFit {
  readonly #known = new Map<string, FitEstimate>();

  constructor(
    private readonly hub: HubHttp,
    private readonly inference: InferenceService,
  ) {}

  async fit(repo: string, revision: string, file: string): Promise<FitEstimate> {
    const sha = await resolveCommit(this.hub, parseRepoId(repo), revision);
    const key = `${repo}@${sha}:${file}`;
    const known = this.#known.get(key);
    if (known) return known;
    const header = await remoteGgufHeaders(this.hub, repo, sha, file);
    try {
      const fit = await this.inference.fitFile(header.path);
      if (this.#known.size > 500) this.#known.clear();
      this.#known.set(key, fit);
      return fit;
    } finally {
      header.dispose();
    }
  }
}
