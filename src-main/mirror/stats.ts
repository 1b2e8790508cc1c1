/** What the mirror has done, for `--json` and the Settings card: who came, what went out, from where. */
export interface MirrorStatsView {
  /** Distinct client addresses seen since start. */
  clients: number;
  /** Client connections open now. */
  connected: number;
  requests: number;
  /** File bytes sent from the cache. */
  bytesFromCache: number;
  /** File bytes sent to clients as they arrived from the Hub (a pull-through still under way). */
  bytesWhilePulling: number;
  /** Bytes fetched from the Hub to answer a miss. */
  bytesUpstream: number;
  /** Blobs refused because they did not match their name. */
  refusedBlobs: number;
}

export class MirrorStats {
  readonly #clients = new Set<string>();
  connected = 0;
  requests = 0;
  bytesFromCache = 0;
  bytesWhilePulling = 0;
  bytesUpstream = 0;
  refusedBlobs = 0;

  saw(client: string): void {
    this.requests += 1;
    if (this.#clients.size < 100_000) this.#clients.add(client);
  }

  view(): MirrorStatsView {
    return {
      clients: this.#clients.size,
      connected: this.connected,
      requests: this.requests,
      bytesFromCache: this.bytesFromCache,
      bytesWhilePulling: this.bytesWhilePulling,
      bytesUpstream: this.bytesUpstream,
      refusedBlobs: this.refusedBlobs,
    };
  }
}
