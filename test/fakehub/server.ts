/**
 * A local server faithful to the Hugging Face Hub for what Hubcap uses (see
 * docs/hub-protocol.md §7): two origins (API and "CDN"), resolve with HEAD metadata and
 * 302 redirects for LFS files, Range/206, model info, tree and paths-info with pagination, model
 * search with Link-header pagination, whoami-v2, gated and private repos with the real status codes
 * and X-Error-Code values, fault knobs, and the write side (uploads.ts) with a third origin, the
 * upload host.
 *
 * This file starts the origins and routes the API origin's requests; the answers live by concept:
 * hub-state.ts (repos, callers, access), api-routes.ts and repo-answers.ts (the /api reads),
 * file-answers.ts and file-body.ts (resolve, the CDN, Range and byte faults), fault-answers.ts
 * (answers a fault replaces), uploads.ts (the write side), request-log.ts.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleApi } from './api-routes';
import { hostile, injectedStatus } from './fault-answers';
import { answerCdn, handleResolve } from './file-answers';
import { Link, type LinkShape } from './link';
import { FaultBook, type Fault } from './faults';
import { caller, canSee, checkRepo, findRepo, repoOrThrow, resolveOr404, type HubState } from './hub-state';
import { pushCommit, type CommitSpec, type FakeCommit, type FakeRepo, type FakeToken } from './model';
import { hubError, json, readBody } from './http-util';
import { logRequest, type LoggedRequest } from './request-log';
import { createUploads, type UploadOptions } from './uploads';
import { startXetHub, type XetHub, type XetHubOptions } from './xet/hub-side';

export { parseRange } from './file-body';
export type { LoggedRequest, Origin } from './request-log';

export interface FakeHubOptions {
  repos?: FakeRepo[];
  tokens?: Record<string, FakeToken>;
  /** repo id → users granted access to a gated repo. */
  gatedAccess?: Record<string, string[]>;
  treePageSize?: number;
  port?: number;
  cdnPort?: number;
  uploadPort?: number;
  /**
   * The CDN's and upload host's address (default 127.0.0.1). huggingface_hub ≥ 2.0 follows a
   * redirect to the same host name even on another port, as it would within the Hub; give another
   * loopback address (127.0.0.2 on Linux) to make them other hosts for it, as the real CDN is.
   */
  storageHost?: string;
  /** Upload knobs: multipart threshold and part size, a size refusal. */
  uploads?: UploadOptions;
  /** Accept POST /__fakehub/faults (JSON Fault) and DELETE to clear, and POST /__fakehub/link (JSON LinkShape), for use from the command line. */
  adminFaults?: boolean;
  /** A far link: rate caps, first-byte latency, stalls, expiring signed links (link.ts). */
  link?: LinkShape;
  /** Store LFS files in Xet: a CAS on the storage host, Xet metadata on the Hub (xet/hub-side.ts). */
  xet?: XetHubOptions;
}

export interface FakeHub {
  url: string;
  cdnUrl: string;
  /** The storage host LFS uploads go to (a third origin: the Hub token must never reach it). */
  uploadUrl: string;
  /** sha256 of the LFS objects the upload host holds. */
  storedObjects(): Set<string>;
  repos: Map<string, FakeRepo>;
  tokens: Map<string, FakeToken>;
  gatedAccess: Map<string, Set<string>>;
  faults: FaultBook;
  /** The link's shape, changeable while running. */
  link: Link;
  /** The Xet side (CAS, its knobs and log), when started with `xet`. */
  xet: XetHub | null;
  log: LoggedRequest[];
  addRepo(repo: FakeRepo): void;
  grantAccess(repoId: string, user: string): void;
  /** A push at run time (a model's author fixing it): a new commit on `branch`; with `onto`, a force-push. */
  push(repoId: string, spec: CommitSpec, opts?: { branch?: string; onto?: string }): FakeCommit;
  /** The repo is deleted on the Hub. */
  removeRepo(repoId: string): void;
  /** The repo becomes gated (or stops being). */
  gate(repoId: string, mode: FakeRepo['gated']): void;
  close(): Promise<void>;
}

/** The API origin: admin knobs, faults, Xet, uploads, /api reads, resolve, the home page. */
async function routeApi(
  st: HubState,
  uploads: ReturnType<typeof createUploads>,
  adminFaults: boolean,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
  hits: Fault[],
): Promise<void> {
  if (injectedStatus(res, hits)) return;
  if (url.pathname === '/__fakehub/faults' && adminFaults) {
    if (req.method === 'DELETE') st.faults.clear();
    else st.faults.add(JSON.parse((await readBody(req)) || '{}') as Fault);
    return json(res, 200, { ok: true });
  }
  if (url.pathname === '/__fakehub/link' && adminFaults) {
    st.link.set(JSON.parse((await readBody(req)) || '{}') as LinkShape);
    return json(res, 200, { ok: true, shape: st.link.shape });
  }
  await st.link.latency();
  if (await hostile(res, hits)) return;
  const xetAccess = {
    open: (r: http.ServerResponse, type: 'model' | 'dataset', id: string, rev: string) => {
      const repo = findRepo(st, type, id);
      return checkRepo(st, r, repo, caller(st, req), true) && resolveOr404(r, repo, rev) !== null;
    },
  };
  if (st.xet?.handleApi(req, res, url.pathname, xetAccess)) return;
  if (await uploads.handleApi(req, res, url)) return;
  if (url.pathname.startsWith('/api/')) return handleApi(st, req, res, url.pathname, url, hits);
  const r = /^\/(?:(datasets)\/)?(.+?)\/resolve\/([^/]+)\/(.+)$/.exec(url.pathname);
  if (r && (req.method === 'GET' || req.method === 'HEAD')) {
    return handleResolve(st, req, res, { type: r[1] ? 'dataset' : 'model', id: r[2] as string, revRaw: r[3] as string, pathRaw: r[4] as string }, hits);
  }
  if (url.pathname === '/' && (req.method === 'HEAD' || req.method === 'GET')) {
    res.writeHead(200, { 'Content-Type': 'text/html' });
    return void res.end(req.method === 'HEAD' ? undefined : '<!doctype html><title>fakehub</title>');
  }
  return hubError(res, 404, null, 'Not Found');
}

export async function startFakeHub(opts: FakeHubOptions = {}): Promise<FakeHub> {
  const repos = new Map<string, FakeRepo>();
  for (const r of opts.repos ?? []) repos.set(`${r.type}:${r.id}`, r);
  const st: HubState = {
    repos,
    tokens: new Map(Object.entries(opts.tokens ?? {})),
    gatedAccess: new Map<string, Set<string>>(Object.entries(opts.gatedAccess ?? {}).map(([k, v]) => [k, new Set(v)])),
    faults: new FaultBook(),
    link: new Link(opts.link),
    log: [],
    treePageSize: opts.treePageSize ?? 1000,
    apiUrl: '',
    cdnUrl: '',
    xet: null,
  };
  let uploadUrl = '';

  const uploads = createUploads({
    repos,
    caller: (req) => caller(st, req),
    canSee,
    apiUrl: () => st.apiUrl,
    uploadUrl: () => uploadUrl,
    takeFaults: (method, p) => st.faults.take('upload', method, p),
    options: opts.uploads ?? {},
    xet: () => (st.xet ? { uploads: st.xet.uploads, casUrl: st.xet.cas.url } : null),
  });

  const api = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fakehub');
    logRequest(st.log, 'api', req, res);
    const hits = st.faults.take('api', req.method ?? 'GET', url.pathname);
    routeApi(st, uploads, opts.adminFaults === true, req, res, url, hits).catch((e: unknown) => {
      if (!res.headersSent) hubError(res, 500, null, String(e));
      else res.destroy();
    });
  });

  const cdn = http.createServer((req, res) => {
    logRequest(st.log, 'cdn', req, res);
    answerCdn(st, req, res);
  });

  const upload = http.createServer((req, res) => {
    logRequest(st.log, 'upload', req, res);
    uploads.handleUpload(req, res).catch((e: unknown) => {
      if (!res.headersSent) hubError(res, 500, null, String(e));
      else res.destroy();
    });
  });

  await new Promise<void>((r) => api.listen(opts.port ?? 0, '127.0.0.1', r));
  const storageHost = opts.storageHost ?? '127.0.0.1';
  await new Promise<void>((r) => cdn.listen(opts.cdnPort ?? 0, storageHost, r));
  st.apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  st.cdnUrl = `http://${storageHost}:${(cdn.address() as AddressInfo).port}`;
  await new Promise<void>((r) => upload.listen(opts.uploadPort ?? 0, storageHost, r));
  uploadUrl = `http://${storageHost}:${(upload.address() as AddressInfo).port}`;
  if (opts.xet) st.xet = await startXetHub(opts.xet, storageHost, st.link, () => st.apiUrl, repos.values());

  return {
    url: st.apiUrl,
    cdnUrl: st.cdnUrl,
    uploadUrl,
    storedObjects: uploads.stored,
    repos,
    tokens: st.tokens,
    gatedAccess: st.gatedAccess,
    faults: st.faults,
    link: st.link,
    xet: st.xet,
    log: st.log,
    addRepo: (repo) => repos.set(`${repo.type}:${repo.id}`, repo),
    push: (repoId, spec, pushOpts) => pushCommit(repoOrThrow(st, repoId), spec, pushOpts),
    removeRepo: (repoId) => {
      if (!repos.delete(`model:${repoId}`) && !repos.delete(`dataset:${repoId}`)) throw new Error(`no repo ${repoId}`);
    },
    gate: (repoId, mode) => {
      repoOrThrow(st, repoId).gated = mode;
    },
    grantAccess: (repoId, user) => {
      const set = st.gatedAccess.get(repoId) ?? new Set<string>();
      set.add(user);
      st.gatedAccess.set(repoId, set);
    },
    close: async () => {
      for (const server of [api, cdn, upload]) {
        server.closeAllConnections();
        await new Promise<void>((r) => server.close(() => r()));
      }
      uploads.close();
      await st.xet?.close();
    },
  };
}
