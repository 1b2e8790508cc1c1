/** The Hub mirror as the app shows and runs it (Settings › Share models on this network, #28). */
import { z } from 'zod';
import { Empty, event, request } from './request';

export const MIRROR_DEFAULT_PORT = 8686;
/** Listening on this machine only: the default. */
export const MIRROR_LOOPBACK = '127.0.0.1';

/** What the mirror has done since it started (the same figures `hubcap mirror --json` prints). */
export interface MirrorFigures {
  /** Distinct client addresses seen. */
  clients: number;
  /** Client connections open now. */
  connected: number;
  requests: number;
  /** File bytes sent from the cache. */
  bytesFromCache: number;
  /** File bytes sent to clients as they arrived from the Hub. */
  bytesWhilePulling: number;
  /** Bytes fetched from the Hub to answer what the cache lacked. */
  bytesUpstream: number;
  /** Blobs refused because they did not match their name. */
  refusedBlobs: number;
}

/** A network address this machine could listen on. */
export interface MirrorInterface {
  /** The interface's name (`eth0`, `en0`), or "All interfaces". */
  name: string;
  address: string;
}

export interface MirrorView {
  enabled: boolean;
  /** Listening now (the switch may be on while the port is taken: see `error`). */
  running: boolean;
  error: string | null;
  /** The endpoint others set as HF_ENDPOINT, its key masked; null while not running. */
  endpoint: string | null;
  /** Said when it listens beyond this machine (as `serve --host` says it). */
  warning: string | null;
  /** null until the mirror is first turned on (no key is made before). */
  key: { masked: string; source: 'HUBCAP_MIRROR_KEY' | 'keychain' | 'session' } | null;
  interfaces: MirrorInterface[];
  figures: MirrorFigures;
}

/** An IPv4 or IPv6 literal (what an interface choice is); names are not resolved. */
const Address = z
  .string()
  .trim()
  .max(64)
  .regex(/^(\d{1,3}(\.\d{1,3}){3}|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*)$/, 'Choose one of this machine’s addresses.');

export const MirrorSettingsInput = z
  .object({
    enabled: z.boolean(),
    port: z.number().int().min(1).max(65535),
    /** The address it listens on: loopback (default), one interface, or 0.0.0.0 for all. */
    host: Address,
    /** Bytes per second per client address; 0 for no limit. */
    rateLimit: z
      .number()
      .int()
      .min(0)
      .max(100 * 2 ** 30),
    /** Networks allowed in (`10.0.0.0/8 192.168.1.0/24`); empty for any that reaches the port. */
    allow: z.string().trim().max(2000),
    /** Fetch public repos the cache lacks from the Hub (once, through the download engine). */
    pullThrough: z.boolean(),
  })
  .partial()
  .strict();

export const mirrorRequests = {
  'mirror.get': request<MirrorView>()(Empty),
  /** The endpoint with its key in full, to give to others. */
  'mirror.endpoint': request<{ endpoint: string }>()(Empty),
  'mirror.regenerateKey': request<MirrorView>()(Empty),
} as const;

export const mirrorEvents = {
  'mirror.changed': event<MirrorView>(),
} as const;
