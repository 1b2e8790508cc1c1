/**
 * What the local API's parts share: the options it is started with, what lives as long as the
 * server (the model line, the body budget, the Library's models), and one request in flight.
 */
import type http from 'node:http';
import type { ApiRequestLog } from '../contract/localapi';
import type { LibraryItem } from '../contract/library';
import type { InferenceService } from '../inference/service';
import type { BodyBudget, BodyHold } from './body';
import type { ApiModel } from './model-ids';
import type { FifoGate } from './queue';

export interface LocalApiOptions {
  inference: Pick<InferenceService, 'complete' | 'embed' | 'status' | 'apiCapacity' | 'reserveParallel'>;
  items: () => Promise<LibraryItem[]>;
  /** The key of this moment: asked at every request, so a new key retires the old one at once. */
  key: () => string;
  host: string;
  port: number;
  /** Answers at once for one model (its context's sequences, when it can afford them; default 4). */
  parallel?: 'auto' | number;
  /** Origins allowed to call from a browser (CORS); none by default. */
  corsOrigins?: () => string[];
  /** Requests waiting for the model beyond the one being answered (default 8). */
  maxQueue?: number;
  /** Bytes of request bodies held at once, all requests together (default `BODY_BUDGET_BYTES`). */
  bodyBudget?: number;
  /** Time for one request body to arrive (default `BODY_DEADLINE_MS`). */
  bodyDeadlineMs?: number;
  /** Requests in flight from one client address (default `MAX_REQUESTS_PER_CLIENT`). */
  maxPerClient?: number;
  /** Told of every finished request, for the "recent requests" list. */
  onRequest?: (entry: ApiRequestLog) => void;
}

export interface LocalApi {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** What lives as long as the server. */
export interface ApiContext {
  opts: LocalApiOptions;
  gate: FifoGate;
  budget: BodyBudget;
  /** The Library's runnable models with their API ids, the loaded one first. */
  models(): Promise<ApiModel[]>;
}

/** One request in flight: its message, its answer, its log line and its share of the body budget. */
export interface Exchange {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  log: Partial<ApiRequestLog>;
  hold: BodyHold;
}
