/** The fake Hub's data: repos with commits, refs, files, gating and tokens. Built deterministically. */
import { createHash } from 'node:crypto';
import { bufferContent, gitBlobSha1, lfsPointer, sha256Of, type Content } from './content';

export interface FakeFile {
  path: string;
  content: Content;
  lfs: boolean;
  /** git blob id: of the content, or of the LFS pointer for LFS files. */
  oid: string;
  sha256: string;
  lastCommit: { id: string; title: string; date: string };
}

export interface FakeCommit {
  sha: string;
  title: string;
  date: string;
  files: Map<string, FakeFile>;
  /** The commit it builds on (null for the first; absent: the one before it in `commits`). A force-push makes history that skips commits. */
  parent?: string | null;
}

export type RepoType = 'model' | 'dataset';

export interface FakeRepo {
  id: string;
  type: RepoType;
  author: string;
  private: boolean;
  gated: false | 'auto' | 'manual';
  disabled: boolean;
  downloads: number;
  likes: number;
  trendingScore: number;
  tags: string[];
  pipelineTag: string | null;
  libraryName: string | null;
  createdAt: string;
  lastModified: string;
  commits: FakeCommit[];
  /** Branches and tags → commit sha. */
  refs: Map<string, string>;
  gguf?: { total: number; architecture: string; context_length: number };
  cardText?: string;
}

export interface FakeToken {
  user: string;
  displayName: string;
  role: 'read' | 'write' | 'fineGrained';
  orgs?: string[];
  fineGrained?: { canReadGatedRepos: boolean; global: string[]; scoped: { entity: { _id: string; type: string; name: string }; permissions: string[] }[] };
}

export interface FileSpec {
  content: Content | Buffer | string;
  /** Stored with LFS (redirect to the CDN, sha256 etag). Default: size > 10 KiB or binary-looking name. */
  lfs?: boolean;
}

export interface CommitSpec {
  title?: string;
  files: Record<string, FileSpec | string | Buffer | Content>;
  /** Paths removed from the previous commit. */
  deleted?: string[];
}

export interface RepoSpec {
  id: string;
  type?: RepoType;
  private?: boolean;
  gated?: false | 'auto' | 'manual';
  downloads?: number;
  likes?: number;
  trendingScore?: number;
  tags?: string[];
  pipelineTag?: string | null;
  libraryName?: string | null;
  /** Each commit builds on the previous one. `main` points at the last. */
  commits: CommitSpec[];
  /** Extra branches/tags: name → index into commits. */
  refs?: Record<string, number>;
  gguf?: FakeRepo['gguf'];
  createdAt?: string;
}

const LFS_EXT = /\.(gguf|safetensors|bin|pt|pth|onnx|h5|msgpack|model|zip|tar|gz)$/i;

function isContent(v: unknown): v is Content {
  return typeof v === 'object' && v !== null && 'read' in v && 'size' in v;
}

function toContent(v: Content | Buffer | string): Content {
  if (isContent(v)) return v;
  return bufferContent(typeof v === 'string' ? Buffer.from(v) : v);
}

export function commitSha(repoId: string, index: number): string {
  return createHash('sha1').update(`fakehub:${repoId}:${index}`).digest('hex');
}

/** The files of a commit built on `base`: its own files added or replaced, its deletions removed. */
function commitFiles(base: Map<string, FakeFile>, c: CommitSpec, lastCommit: FakeFile['lastCommit']): Map<string, FakeFile> {
  const files = new Map(base);
  for (const p of c.deleted ?? []) files.delete(p);
  for (const [path, raw] of Object.entries(c.files)) {
    const fileSpec: FileSpec = typeof raw === 'string' || Buffer.isBuffer(raw) || isContent(raw) ? { content: raw } : raw;
    const content = toContent(fileSpec.content);
    const lfs = fileSpec.lfs ?? (content.size > 10 * 1024 || LFS_EXT.test(path));
    const sha256 = sha256Of(content);
    const oid = lfs ? gitBlobSha1(lfsPointer(sha256, content.size)) : gitBlobSha1(content.read(0, content.size));
    files.set(path, { path, content, lfs, oid, sha256, lastCommit });
  }
  return files;
}

export function buildRepo(spec: RepoSpec): FakeRepo {
  const base = Date.parse(spec.createdAt ?? '2026-01-01T00:00:00.000Z');
  const commits: FakeCommit[] = [];
  let files = new Map<string, FakeFile>();
  spec.commits.forEach((c, i) => {
    const sha = commitSha(spec.id, i);
    const date = new Date(base + i * 86_400_000).toISOString();
    const title = c.title ?? (i === 0 ? 'Initial commit' : `Update ${i}`);
    files = commitFiles(files, c, { id: sha, title, date });
    commits.push({ sha, title, date, files, parent: commits.at(-1)?.sha ?? null });
  });
  const last = commits.at(-1);
  if (!last) throw new Error(`repo ${spec.id} needs at least one commit`);
  const refs = new Map<string, string>([['main', last.sha]]);
  for (const [name, index] of Object.entries(spec.refs ?? {})) {
    const c = commits[index];
    if (!c) throw new Error(`ref ${name} points at missing commit ${index}`);
    refs.set(name, c.sha);
  }
  return {
    id: spec.id,
    type: spec.type ?? 'model',
    author: spec.id.includes('/') ? (spec.id.split('/')[0] as string) : '',
    private: spec.private ?? false,
    gated: spec.gated ?? false,
    disabled: false,
    downloads: spec.downloads ?? 0,
    likes: spec.likes ?? 0,
    trendingScore: spec.trendingScore ?? 0,
    tags: spec.tags ?? [],
    pipelineTag: spec.pipelineTag ?? null,
    libraryName: spec.libraryName ?? null,
    createdAt: new Date(base).toISOString(),
    lastModified: last.date,
    commits,
    refs,
    ...(spec.gguf ? { gguf: spec.gguf } : {}),
  };
}

/** Finds the commit for a revision: branch, tag, `HEAD`, full or short (≥7) sha. */
export function resolveRevision(repo: FakeRepo, revision: string): FakeCommit | null {
  const rev = revision === 'HEAD' ? 'main' : revision;
  const sha = repo.refs.get(rev);
  if (sha) return repo.commits.find((c) => c.sha === sha) ?? null;
  if (/^[0-9a-f]{7,40}$/.test(rev)) return repo.commits.find((c) => c.sha.startsWith(rev)) ?? null;
  return null;
}

/**
 * A new commit on `branch` (default main), as a push at run time would make it. `onto` (a commit
 * sha) builds it on another commit than the branch's head: a force-push, whose new head is not a
 * descendant of the old one.
 */
export function pushCommit(repo: FakeRepo, spec: CommitSpec, opts: { branch?: string; onto?: string } = {}): FakeCommit {
  const branch = opts.branch ?? 'main';
  const parentSha = opts.onto ?? repo.refs.get(branch) ?? null;
  const parent = parentSha ? repo.commits.find((c) => c.sha === parentSha) : undefined;
  if (parentSha && !parent) throw new Error(`no commit ${parentSha} in ${repo.id}`);
  const sha = commitSha(repo.id, repo.commits.length);
  const last = repo.commits.at(-1);
  const date = new Date(Date.parse(last?.date ?? '2026-01-01T00:00:00.000Z') + 86_400_000).toISOString();
  const title = spec.title ?? `Update ${repo.commits.length}`;
  const commit: FakeCommit = { sha, title, date, files: commitFiles(parent?.files ?? new Map(), spec, { id: sha, title, date }), parent: parent?.sha ?? null };
  repo.commits.push(commit);
  repo.refs.set(branch, sha);
  repo.lastModified = date;
  return commit;
}

/** The commits reachable from `head`, newest first (what the Hub's commits API lists). */
export function history(repo: FakeRepo, head: FakeCommit): FakeCommit[] {
  const parentOf = (c: FakeCommit): FakeCommit | undefined =>
    c.parent === undefined ? repo.commits[repo.commits.indexOf(c) - 1] : c.parent === null ? undefined : repo.commits.find((x) => x.sha === c.parent);
  const out: FakeCommit[] = [];
  for (let c: FakeCommit | undefined = head; c && out.length <= repo.commits.length; c = parentOf(c)) out.push(c);
  return out;
}
