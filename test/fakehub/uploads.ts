/**
 * The fake Hub's write side (docs/hub-protocol.md §5.6–5.7), as the real Hub answers the clients
 * that use it (@huggingface/hub's commit, Python's HfApi.create_repo/upload_file/upload_folder):
 * create and delete repos, preupload (upload mode and the oid of what is there), the LFS batch
 * (`xet` when the client offers it and the fake Hub runs a CAS that accepts uploads, see
 * xet/lfs-xet.ts; else basic or multipart on a separate upload host, so clients fall back), the upload host
 * itself (it stores PUT bodies, checks size and sha256, and is logged so tests can prove no Hub
 * token ever reached it), the NDJSON commit (parentCommit, create_pr → refs/pr/N), validate-yaml.
 * A commit is visible at once through every read endpoint: they all read `repo.commits`.
 * Write permission follows the token's role: `write` for the user's and their orgs' namespaces,
 * fine-grained `repo.write` scoped to a namespace or a repo; `read` tokens write nothing.
 */
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { gitBlobSha1, lfsPointer, type Content } from './content';
import type { Fault } from './faults';
import { hubError, json, readBody } from './http-util';
import { createUploadHost } from './upload-host';
import { badRepoPath, canOpenPr, canWrite, fileContent, GITATTRIBUTES, LFS_NAME, NAME_RE, REGULAR_MAX } from './upload-rules';
import { buildRepo, resolveRevision, type FakeCommit, type FakeFile, type FakeRepo, type FakeToken, type RepoType } from './model';
import { xetBatchObject, xetWriteToken, type XetSide } from './xet/lfs-xet';

export { badRepoPath, canWrite, GITATTRIBUTES };

export interface UploadOptions {
  /** Files larger than this get a multipart upload (when the client offers it). */
  multipartThreshold?: number;
  multipartChunkSize?: number;
  /** The LFS batch refuses larger objects (a quota or size refusal, as the real Hub's). */
  maxLfsFileSize?: number;
}

export interface UploadContext {
  repos: Map<string, FakeRepo>;
  caller(req: http.IncomingMessage): FakeToken | null | 'invalid';
  canSee(repo: FakeRepo, who: FakeToken | null): boolean;
  apiUrl(): string;
  uploadUrl(): string;
  takeFaults(method: string, path: string): Fault[];
  options: UploadOptions;
  /** The CAS's upload side, when the fake Hub runs one: LFS batches that offer `xet` may get it. */
  xet?: () => XetSide | null;
}

export function createUploads(ctx: UploadContext) {
  const storage = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'fakehub-uploads-'));
  /** Objects stored by the upload host: sha256 → file and size. */
  const stored = new Map<string, { file: string; size: number }>();
  let commitCounter = 0;
  const threshold = ctx.options.multipartThreshold ?? 64 << 20;
  const chunkSize = ctx.options.multipartChunkSize ?? 16 << 20;

  const repoKey = (type: string, id: string) => `${type}:${id}`;
  const typeOf = (plural: string | undefined): RepoType => (plural === 'datasets' ? 'dataset' : 'model');
  const urlPath = (repo: FakeRepo) => (repo.type === 'model' ? repo.id : `${repo.type}s/${repo.id}`);

  /** An LFS object the Hub already holds: uploaded here, or a file of any repo. */
  const knownObject = (oid: string): Content | null => {
    const s = stored.get(oid);
    if (s) return fileContent(s.file, s.size);
    const viaXet = ctx.xet?.()?.uploads.contentOf(oid);
    if (viaXet) return viaXet;
    for (const r of ctx.repos.values()) for (const c of r.commits) for (const f of c.files.values()) if (f.lfs && f.sha256 === oid) return f.content;
    return null;
  };

  /** Auth for a write to `repo`; sends the error and returns null when refused. */
  const writer = (req: http.IncomingMessage, res: http.ServerResponse, repo: FakeRepo | undefined, pr: boolean): FakeToken | null => {
    const who = ctx.caller(req);
    if (who === 'invalid') {
      hubError(res, 401, null, 'Invalid credentials in Authorization header');
      return null;
    }
    if (!repo || !ctx.canSee(repo, who)) {
      hubError(res, who ? 404 : 401, 'RepoNotFound', 'Repository Not Found for url. Please make sure you specified the correct `repo_id` and `repo_type`.');
      return null;
    }
    if (!who) {
      hubError(res, 401, null, 'You must be authenticated to write to a repo.');
      return null;
    }
    if (canWrite(who, repo.author, repo.id) || (pr && canOpenPr(who))) return who;
    if (who.role === 'read') {
      hubError(res, 403, null, 'You have read access but not the required permissions for this operation.');
      return null;
    }
    hubError(res, 403, null, `You don't have write access to ${repo.id}. Pass create_pr=1 to open a pull request instead.`);
    return null;
  };

  const createRepo = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const who = ctx.caller(req);
    if (who === 'invalid') return hubError(res, 401, null, 'Invalid credentials in Authorization header');
    if (!who) return hubError(res, 401, null, 'You must be authenticated to create a repo.');
    let body: { name?: unknown; organization?: unknown; type?: unknown; private?: unknown; visibility?: unknown };
    try {
      body = JSON.parse((await readBody(req, 1 << 20)) || '{}') as typeof body;
    } catch {
      return hubError(res, 400, null, 'Invalid JSON body');
    }
    const name = typeof body.name === 'string' ? body.name : '';
    if (!NAME_RE.test(name) || name.endsWith('.git')) {
      return hubError(res, 400, null, `Invalid repo name "${name}": use letters, digits, "-", "_" and "."; no "--" or ".."; at most 96 characters.`);
    }
    const type: RepoType = body.type === 'dataset' ? 'dataset' : 'model';
    const namespace = typeof body.organization === 'string' && body.organization ? body.organization : who.user;
    if (!canWrite(who, namespace, null)) {
      return hubError(res, 403, null, `You don't have the rights to create a ${type} under the namespace "${namespace}".`);
    }
    const id = `${namespace}/${name}`;
    const existing = [...ctx.repos.values()].find((r) => r.type === type && r.id.toLowerCase() === id.toLowerCase());
    if (existing)
      return json(
        res,
        409,
        { error: `You already created this ${type} repo`, url: `${ctx.apiUrl()}/${urlPath(existing)}` },
        { 'X-Error-Message': `You already created this ${type} repo` },
      );
    const isPrivate = body.private === true || body.visibility === 'private';
    const repo = buildRepo({
      id,
      type,
      private: isPrivate,
      createdAt: new Date().toISOString(),
      commits: [{ title: 'initial commit', files: { '.gitattributes': { content: GITATTRIBUTES, lfs: false } } }],
    });
    // A fresh id per creation: a repo deleted and created again has new commits.
    repo.commits[0] = { ...(repo.commits[0] as FakeCommit), sha: nextSha(id) };
    for (const f of (repo.commits[0] as FakeCommit).files.values()) f.lastCommit = { ...f.lastCommit, id: (repo.commits[0] as FakeCommit).sha };
    repo.refs.set('main', (repo.commits[0] as FakeCommit).sha);
    ctx.repos.set(repoKey(type, id), repo);
    json(res, 200, { url: `${ctx.apiUrl()}/${urlPath(repo)}`, name: id, id: `id-${randomUUID()}` });
  };

  const deleteRepo = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    let body: { name?: unknown; organization?: unknown; type?: unknown };
    try {
      body = JSON.parse((await readBody(req, 1 << 20)) || '{}') as typeof body;
    } catch {
      return hubError(res, 400, null, 'Invalid JSON body');
    }
    const who = ctx.caller(req);
    const type: RepoType = body.type === 'dataset' ? 'dataset' : 'model';
    const ns = typeof body.organization === 'string' && body.organization ? body.organization : who && who !== 'invalid' ? who.user : '';
    const id = `${ns}/${String(body.name)}`;
    const repo = ctx.repos.get(repoKey(type, id));
    if (!writer(req, res, repo, false)) return;
    ctx.repos.delete(repoKey(type, id));
    json(res, 200, {});
  };

  const nextSha = (seed: string) => createHash('sha1').update(`fakehub:commit:${seed}:${++commitCounter}:${randomUUID()}`).digest('hex');

  const preupload = async (req: http.IncomingMessage, res: http.ServerResponse, repo: FakeRepo | undefined, rev: string, pr: boolean) => {
    if (!writer(req, res, repo, pr) || !repo) return;
    const commit = resolveRevision(repo, rev);
    if (!commit) return hubError(res, 404, 'RevisionNotFound', `Invalid rev id: ${rev}`);
    let body: { files?: unknown };
    try {
      body = JSON.parse(await readBody(req, 16 << 20)) as typeof body;
    } catch {
      return hubError(res, 400, null, 'Invalid JSON body');
    }
    if (!Array.isArray(body.files) || body.files.length > 1000) return hubError(res, 400, null, 'files must be an array of at most 1000 entries');
    const out = [];
    for (const f of body.files as { path?: unknown; size?: unknown; sample?: unknown }[]) {
      const bad = badRepoPath(f.path);
      if (bad) return hubError(res, 400, null, `Invalid file: ${bad}`);
      if (typeof f.size !== 'number' || !Number.isSafeInteger(f.size) || f.size < 0) return hubError(res, 400, null, `Invalid size for ${String(f.path)}`);
      const sample = typeof f.sample === 'string' ? Buffer.from(f.sample, 'base64') : Buffer.alloc(0);
      const p = f.path as string;
      const lfs = f.size > 0 && (LFS_NAME.test(p) || f.size > REGULAR_MAX || sample.includes(0));
      const there = commit.files.get(p);
      out.push({ path: p, uploadMode: lfs ? 'lfs' : 'regular', shouldIgnore: false, ...(there ? { oid: there.lfs ? there.sha256 : there.oid } : {}) });
    }
    json(res, 200, { files: out, commitOid: commit.sha });
  };

  const lfsBatch = async (req: http.IncomingMessage, res: http.ServerResponse, repo: FakeRepo | undefined) => {
    let body: { operation?: unknown; transfers?: unknown; objects?: unknown; ref?: unknown };
    try {
      body = JSON.parse(await readBody(req, 16 << 20)) as typeof body;
    } catch {
      return hubError(res, 400, null, 'Invalid JSON body');
    }
    // A PR upload has no ref; a branch upload needs write access.
    if (!writer(req, res, repo, body.ref === undefined) || !repo) return;
    if (body.operation !== 'upload' && body.operation !== 'download') return hubError(res, 422, null, 'operation must be upload or download');
    const transfers = Array.isArray(body.transfers) ? (body.transfers as unknown[]) : ['basic'];
    const multipart = transfers.includes('multipart');
    if (!Array.isArray(body.objects) || body.objects.length > 1000) return hubError(res, 422, null, 'objects must be an array of at most 1000 entries');
    let usedMultipart = false;
    const xet = transfers.includes('xet') && ctx.xet?.()?.uploads.accept ? ctx.xet() : null;
    const ref = (body.ref as { name?: unknown } | undefined)?.name;
    const rev = typeof ref === 'string' ? ref : 'main';
    const objects = (body.objects as { oid?: unknown; size?: unknown }[]).map((o) => {
      const oid = typeof o.oid === 'string' ? o.oid : '';
      const size = typeof o.size === 'number' ? o.size : -1;
      if (!/^[0-9a-f]{64}$/.test(oid) || !Number.isSafeInteger(size) || size < 0) return { oid, size, error: { code: 422, message: 'Invalid object' } };
      const max = ctx.options.maxLfsFileSize;
      if (max !== undefined && size > max) {
        return { oid, size, error: { code: 422, message: `Your file exceeds the maximum size of ${max} bytes for this repo.` } };
      }
      const known = knownObject(oid);
      if (known && known.size === size) return { oid, size };
      if (xet)
        return xetBatchObject(xet, {
          oid,
          size,
          writeTokenUrl: `${ctx.apiUrl()}/api/${repo.type}s/${repo.id}/xet-write-token/${encodeURIComponent(rev)}`,
          scope: repo.id,
        });
      const verify = { href: `${ctx.apiUrl()}/${urlPath(repo)}.git/info/lfs/objects/verify`, header: {} };
      if (multipart && size > threshold) {
        usedMultipart = true;
        const header: Record<string, string> = { chunk_size: String(chunkSize) };
        const parts = Math.ceil(size / chunkSize);
        for (let i = 1; i <= parts; i++) header[String(i).padStart(5, '0')] = `${ctx.uploadUrl()}/upload/${oid}/part/${i}?size=${size}`;
        return { oid, size, authenticated: true, actions: { upload: { href: `${ctx.uploadUrl()}/upload/${oid}/complete?size=${size}`, header }, verify } };
      }
      return { oid, size, authenticated: true, actions: { upload: { href: `${ctx.uploadUrl()}/upload/${oid}?size=${size}` }, verify } };
    });
    const text = JSON.stringify({ transfer: xet ? 'xet' : usedMultipart ? 'multipart' : 'basic', objects });
    res.writeHead(200, {
      'Content-Type': 'application/vnd.git-lfs+json',
      'Content-Length': Buffer.byteLength(text),
      'X-Request-Id': `req-${randomUUID().slice(0, 8)}`,
    });
    res.end(text);
  };

  const lfsVerify = async (req: http.IncomingMessage, res: http.ServerResponse, repo: FakeRepo | undefined) => {
    const body = JSON.parse((await readBody(req, 1 << 20)) || '{}') as { oid?: unknown; size?: unknown };
    if (!writer(req, res, repo, true)) return;
    const known = typeof body.oid === 'string' ? knownObject(body.oid) : null;
    if (!known || known.size !== body.size) return hubError(res, 404, null, 'Object not found');
    json(res, 200, {});
  };

  const commitRoute = async (req: http.IncomingMessage, res: http.ServerResponse, repo: FakeRepo | undefined, rev: string, pr: boolean) => {
    if (!writer(req, res, repo, pr) || !repo) return;
    let lines: { key?: unknown; value?: Record<string, unknown> }[];
    try {
      lines = (await readBody(req, 256 << 20))
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as { key?: unknown; value?: Record<string, unknown> });
    } catch {
      return hubError(res, 400, null, 'Invalid NDJSON body');
    }
    const header = lines[0];
    if (header?.key !== 'header' || typeof header.value?.summary !== 'string' || header.value.summary.trim() === '') {
      return hubError(res, 400, null, 'The first line must be the commit header, with a summary.');
    }
    const branchSha = repo.refs.get(rev);
    if (branchSha === undefined) return hubError(res, 404, 'RevisionNotFound', `Invalid rev id: ${rev}`);
    const parent = typeof header.value.parentCommit === 'string' ? header.value.parentCommit : null;
    if (parent && !pr && parent !== branchSha) return hubError(res, 412, null, 'A commit has happened since. Please refresh and try again.');
    const baseSha = pr && parent ? parent : branchSha;
    const base = repo.commits.find((c) => c.sha === baseSha) as FakeCommit;
    const sha = nextSha(repo.id);
    const date = new Date().toISOString();
    const title = header.value.summary.slice(0, 1000);
    const files = new Map(base.files);
    const last = { id: sha, title, date };
    for (const line of lines.slice(1)) {
      const v = line.value ?? {};
      const bad = badRepoPath(v.path);
      if (line.key === 'file') {
        if (bad) return hubError(res, 400, null, `Invalid file: ${bad}`);
        const data = Buffer.from(typeof v.content === 'string' ? v.content : '', v.encoding === 'base64' ? 'base64' : 'utf8');
        const p = v.path as string;
        const content: Content = { size: data.length, read: (s, e) => data.subarray(s, e) };
        const sha256 = createHash('sha256').update(data).digest('hex');
        files.set(p, { path: p, content, lfs: false, oid: gitBlobSha1(data), sha256, lastCommit: last } satisfies FakeFile);
      } else if (line.key === 'lfsFile') {
        if (bad) return hubError(res, 400, null, `Invalid file: ${bad}`);
        const oid = typeof v.oid === 'string' ? v.oid : '';
        const content = knownObject(oid);
        if (!content || content.size !== v.size) {
          return hubError(res, 422, null, `Your push was rejected because an LFS pointer pointed to a file that does not exist (${String(v.path)}).`);
        }
        const p = v.path as string;
        files.set(p, { path: p, content, lfs: true, oid: gitBlobSha1(lfsPointer(oid, content.size)), sha256: oid, lastCommit: last });
      } else if (line.key === 'deletedFile') {
        if (bad || !files.has(v.path as string)) return hubError(res, 404, 'EntryNotFound', `Cannot delete ${String(v.path)}: it does not exist.`);
        files.delete(v.path as string);
      } else if (line.key === 'deletedFolder') {
        const prefix = String(v.path).replace(/\/?$/, '/');
        for (const p of [...files.keys()]) if (p.startsWith(prefix)) files.delete(p);
      } else {
        return hubError(res, 400, null, `Unknown commit operation ${String(line.key)}`);
      }
    }
    repo.commits.push({ sha, title, date, files });
    repo.lastModified = date;
    let pullRequestUrl: string | undefined;
    if (pr) {
      const n = 1 + [...repo.refs.keys()].filter((k) => k.startsWith('refs/pr/')).length;
      repo.refs.set(`refs/pr/${n}`, sha);
      pullRequestUrl = `${ctx.apiUrl()}/${urlPath(repo)}/discussions/${n}`;
    } else {
      repo.refs.set(rev, sha);
    }
    json(res, 200, {
      success: true,
      commitOid: sha,
      commitUrl: `${ctx.apiUrl()}/${urlPath(repo)}/commit/${sha}`,
      hookOutput: '',
      ...(pullRequestUrl ? { pullRequestUrl } : {}),
    });
  };

  const createBranch = async (req: http.IncomingMessage, res: http.ServerResponse, repo: FakeRepo | undefined, name: string) => {
    const body = JSON.parse((await readBody(req, 1 << 20)) || '{}') as { startingPoint?: unknown };
    if (!writer(req, res, repo, false) || !repo) return;
    if (!/^[\w.-]+(\/[\w.-]+)*$/.test(name) || name.startsWith('refs/')) return hubError(res, 400, null, `Invalid branch name "${name}"`);
    if (repo.refs.has(name)) return hubError(res, 409, null, `Branch ${name} already exists`);
    const from = resolveRevision(repo, typeof body.startingPoint === 'string' ? body.startingPoint : 'main');
    if (!from) return hubError(res, 404, 'RevisionNotFound', 'Invalid starting point');
    repo.refs.set(name, from.sha);
    json(res, 200, {});
  };

  const validateYaml = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const body = JSON.parse((await readBody(req, 1 << 20)) || '{}') as { content?: unknown };
    const text = typeof body.content === 'string' ? body.content : '';
    const open = text.startsWith('---\n');
    const closed = open && /\n---\s*(\n|$)/.test(text.slice(3));
    if (open && !closed) return json(res, 400, { errors: [{ message: 'The metadata block is not closed with ---' }], warnings: [] });
    json(res, 200, { errors: [], warnings: [] });
  };

  /** Routes on the API origin; returns false for anything that is not an upload route. */
  async function handleApi(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<boolean> {
    const p = url.pathname;
    const pr = url.searchParams.get('create_pr') === '1' || url.searchParams.get('create_pr') === 'true';
    if (p === '/api/repos/create' && req.method === 'POST') return createRepo(req, res).then(() => true);
    if (p === '/api/repos/delete' && req.method === 'DELETE') return deleteRepo(req, res).then(() => true);
    if (p === '/api/validate-yaml' && req.method === 'POST') return validateYaml(req, res).then(() => true);
    const branch = /^\/api\/(models|datasets)\/(.+?)\/branch\/([^/]+)$/.exec(p);
    if (branch && req.method === 'POST') {
      await createBranch(req, res, ctx.repos.get(repoKey(typeOf(branch[1]), branch[2] as string)), decodeURIComponent(branch[3] as string));
      return true;
    }
    const op = /^\/api\/(models|datasets)\/(.+?)\/(preupload|commit)\/([^/]+)$/.exec(p);
    if (op && req.method === 'POST') {
      const repo = ctx.repos.get(repoKey(typeOf(op[1]), op[2] as string));
      const rev = decodeURIComponent(op[4] as string);
      await (op[3] === 'preupload' ? preupload(req, res, repo, rev, pr) : commitRoute(req, res, repo, rev, pr));
      return true;
    }
    const wt = /^\/api\/(models|datasets)\/(.+?)\/xet-write-token\/([^/]+)$/.exec(p);
    if (wt && req.method === 'GET') {
      // A PR upload asks for it too, so those who may open a pull request get one.
      const repo = ctx.repos.get(repoKey(typeOf(wt[1]), wt[2] as string));
      const side = ctx.xet?.();
      if (!writer(req, res, repo, true) || !repo) return true;
      if (side) xetWriteToken(res, side, repo.id);
      else hubError(res, 404, null, 'This Hub has no Xet storage');
      return true;
    }
    const lfs = /^\/(?:(datasets)\/)?(.+?)\.git\/info\/lfs\/objects\/(batch|verify)$/.exec(p);
    if (lfs && req.method === 'POST') {
      const repo = ctx.repos.get(repoKey(typeOf(lfs[1]), lfs[2] as string));
      await (lfs[3] === 'batch' ? lfsBatch(req, res, repo) : lfsVerify(req, res, repo));
      return true;
    }
    return false;
  }

  const handleUpload = createUploadHost({ storage, stored, chunkSize, takeFaults: ctx.takeFaults });

  return {
    handleApi,
    handleUpload,
    /** Objects the upload host holds (tests check a cancelled upload committed nothing). */
    stored: () => new Set(stored.keys()),
    close: () => fs.rmSync(storage, { recursive: true, force: true }),
  };
}
