/**
 * What the Hub itself says about Xet files (docs/hub-protocol.md §3.4): `xetHash` in tree and
 * paths-info entries, `X-Xet-Hash` and the `xet-auth` / `xet-reconstruction-info` links on resolve,
 * the xet-fileinfo answer @huggingface/hub asks for with its Accept header, and the read-token route
 * in both forms (JSON body for JS and hf_xet's refresher, X-Xet-* headers for Python).
 * LFS files are Xet files when the fake Hub is started with `xet`; their xorbs are built at start
 * (repos added later: on first mention) and kept by sha256, so a second repo holding the same file
 * shares them.
 */
import type http from 'node:http';
import type { Link } from '../link';
import type { FakeFile, FakeRepo } from '../model';
import { startCas, type FakeCas } from './cas';
import type { XetKnobs } from './knobs';
import { createXetUploads, type XetUploads } from './upload';
import { XorbStore, type StoreOptions, type XetFile } from './xorbs';

export interface XetHubOptions extends StoreOptions {
  knobs?: XetKnobs;
  /** Which LFS files are Xet (default: all of them). */
  isXet?: (repo: FakeRepo, file: FakeFile) => boolean;
  port?: number;
  /** Answer `transfer: "xet"` to LFS batches that offer it (default true; `uploads.accept` changes it later). */
  acceptUploads?: boolean;
}

export interface XetHub {
  cas: FakeCas;
  /** The CAS's upload side: write tokens, xorb and shard uploads, dedup queries, their log. */
  uploads: XetUploads;
  /** The Xet file of an LFS file, built on first use; null for files that are not Xet. */
  fileOf(repo: FakeRepo, file: FakeFile): XetFile | null;
  treeFields(repo: FakeRepo, file: FakeFile): { xetHash?: string };
  /** Headers for a resolve answer of a Xet file. */
  resolveHeaders(repo: FakeRepo, file: FakeFile, commitSha: string): Record<string, string>;
  /** Answers GET /api/{type}s/{repo}/xet-read-token/{rev}; false when the path is not that route. */
  handleApi(req: http.IncomingMessage, res: http.ServerResponse, path: string, access: RepoAccess): boolean;
  close(): Promise<void>;
}

/** The Hub's own repo checks, passed in: false when an error answer was sent. */
export interface RepoAccess {
  open(res: http.ServerResponse, type: 'model' | 'dataset', id: string, rev: string): boolean;
}

export const XET_FILEINFO_TYPE = 'application/vnd.xet-fileinfo+json';

export async function startXetHub(opts: XetHubOptions, host: string, link: Link, apiUrl: () => string, repos: Iterable<FakeRepo>): Promise<XetHub> {
  const store = new XorbStore(opts);
  const cas = await startCas({ host, store, link, ...(opts.knobs ? { knobs: opts.knobs } : {}), ...(opts.port ? { port: opts.port } : {}) });
  const bySha = new Map<string, XetFile>();
  const fileOf = (repo: FakeRepo, file: FakeFile) => {
    if (!file.lfs || !(opts.isXet?.(repo, file) ?? true)) return null;
    let x = bySha.get(file.sha256);
    if (!x) {
      x = store.add(file.content);
      bySha.set(file.sha256, x);
    }
    return x;
  };
  const uploads = createXetUploads(store, opts.acceptUploads === undefined ? {} : { accept: opts.acceptUploads });
  // An uploaded file is the Xet file of its sha256: downloads reconstruct it from the uploaded xorbs.
  uploads.onFile = (sha256, file) => bySha.set(sha256, file);
  cas.use(uploads.handle);
  // Built in catalogue order, so which xorb holds which chunk is the same every run.
  for (const repo of repos) for (const commit of repo.commits) for (const file of commit.files.values()) fileOf(repo, file);
  const prefix = (repo: FakeRepo) => `${apiUrl()}/api/${repo.type}s/${repo.id}`;
  return {
    cas,
    uploads,
    fileOf,
    treeFields: (repo, file) => {
      const x = fileOf(repo, file);
      return x ? { xetHash: x.hash } : {};
    },
    resolveHeaders: (repo, file, commitSha): Record<string, string> => {
      const x = fileOf(repo, file);
      if (!x) return {};
      return {
        'X-Xet-Hash': x.hash,
        Link: `<${prefix(repo)}/xet-read-token/${commitSha}${cas.knobs.authLinkQuery ?? ''}>; rel="xet-auth", <${cas.url}/v1/reconstructions/${x.hash}>; rel="xet-reconstruction-info"`,
      };
    },
    handleApi: (req, res, path, access) => {
      const m = /^\/api\/(models|datasets)\/(.+)\/xet-read-token\/([^/]+)$/.exec(path);
      if (!m || req.method !== 'GET') return false;
      if (!access.open(res, m[1] === 'models' ? 'model' : 'dataset', m[2] as string, decodeURIComponent(m[3] as string))) return true;
      const { accessToken, exp } = cas.issueToken();
      res.writeHead(200, {
        'Content-Type': 'application/json',
        'X-Xet-Cas-Url': cas.url,
        'X-Xet-Access-Token': accessToken,
        'X-Xet-Token-Expiration': String(exp),
      });
      res.end(JSON.stringify({ accessToken, casUrl: cas.url, exp }));
      return true;
    },
    close: async () => {
      await cas.close();
      uploads.close();
    },
  };
}
