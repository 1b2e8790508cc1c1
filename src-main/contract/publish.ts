/**
 * Publishing: putting local files (a checkpoint, a LoRA, a GGUF) into the user's own Hub repo.
 * A plan first (the exact files, what each does to the repo, whether the token may write there,
 * a suggested card), then a job with progress, cancel, the commit and a check that the Hub serves
 * the same bytes.
 */
import { z } from 'zod';
import { COMMIT_RE } from './ids';
import { ItemKeySchema } from './keys';
import { Empty, event, request } from './request';

export type PublishRepoType = 'model' | 'dataset';

/** What publishing does to one file of the repo. */
export type PublishAction = 'add' | 'replace' | 'unchanged';

export interface PublishFile {
  /** Path in the repo. */
  path: string;
  /** Where it is here. */
  localPath: string;
  size: number;
  action: PublishAction;
  /** Stored with LFS on the Hub (large or binary); known once the Hub answered preupload. */
  lfs: boolean | null;
}

/** A namespace the token may publish into, and how. */
export interface PublishNamespace {
  name: string;
  kind: 'user' | 'org';
  /** Direct commits allowed; otherwise only pull requests (or nothing). */
  canWrite: boolean;
}

/** The active token, seen from the point of view of publishing. */
export interface PublishAccess {
  signedIn: boolean;
  user: string | null;
  role: 'read' | 'write' | 'fineGrained' | 'unknown' | null;
  /** Where the token comes from (HF_TOKEN is used as is and never stored). */
  source: 'HF_TOKEN' | 'HUGGING_FACE_HUB_TOKEN' | 'keychain' | 'session' | 'token-file' | null;
  namespaces: PublishNamespace[];
  /** Pull requests to other people's repos are allowed. */
  canOpenPullRequests: boolean;
}

/** Why the token cannot publish to the chosen repo, in words, with what to do. */
export interface AccessProblem {
  reason: 'anonymous' | 'read-token' | 'no-write-scope' | 'not-your-namespace' | 'invalid-token';
  message: string;
  /** What the token needs, for the "create a token" page. */
  needed: string;
  createTokenUrl: string;
}

export interface PublishPlan {
  repo: string;
  repoType: PublishRepoType;
  revision: string;
  createPr: boolean;
  /** The repo does not exist yet: publishing creates it. */
  createsRepo: boolean;
  /** The branch does not exist yet: publishing creates it from main (not for pull requests). */
  createsBranch: boolean;
  /** The existing repo's head the comparison was made against (the commit's parent). */
  parentCommit: string | null;
  files: PublishFile[];
  totals: { files: number; bytes: number; add: number; replace: number; unchanged: number; bytesToSend: number };
  /** Files not included, each with its reason (unreadable, a link, a name the Hub refuses). */
  skipped: { path: string; reason: string }[];
  /** Neither the upload nor the repo has a README.md: a card is suggested. */
  needsCard: boolean;
  suggestedCard: string | null;
  /** Commits the upload takes (large folders go in parts, as `hf upload-large-folder` does). */
  commits: number;
  access: PublishAccess;
  problem: AccessProblem | null;
  repoUrl: string;
}

export type PublishState = 'preparing' | 'hashing' | 'uploading' | 'committing' | 'done' | 'failed' | 'cancelled';

export interface PublishVerify {
  state: 'running' | 'ok' | 'mismatch' | 'failed';
  checked: number;
  total: number;
  /** Files whose bytes on the Hub do not hash to what was published. */
  mismatches: string[];
  message: string | null;
}

export interface PublishJob {
  id: string;
  repo: string;
  repoType: PublishRepoType;
  revision: string;
  createPr: boolean;
  state: PublishState;
  message: string;
  files: number;
  bytesTotal: number;
  bytesHashed: number;
  bytesSent: number;
  /** How the large files travel: over Xet (chunks the Hub already has are not sent) or plain LFS; null until the Hub said. */
  via: 'xet' | 'lfs' | null;
  /** Over Xet: the bytes really sent (new chunks, compressed), out of bytesTotal. */
  xetBytesSent: number;
  /** Bytes per second over the last seconds, and the time left at that rate. */
  speed: number;
  etaSeconds: number | null;
  /** The files in flight now (at most a few). */
  active: { path: string; state: 'hashing' | 'uploading'; fraction: number }[];
  /** Which commit of how many (large folders). */
  part: { index: number; of: number };
  commit: { oid: string; url: string } | null;
  pullRequestUrl: string | null;
  repoUrl: string;
  /** A repo this job created (removed again when the job is cancelled or fails before its first commit). */
  createdRepo: boolean;
  /** Cancel is possible until the commit is sent. */
  cancellable: boolean;
  error: { code: string; message: string } | null;
  verify: PublishVerify | null;
  startedAt: string;
  finishedAt: string | null;
}

// ---------- requests and events ----------

/** The Hub's repo name rules, checked here so a bad name never reaches it. */
export const REPO_NAME_RE = /^(?!.*(--|\.\.))[A-Za-z0-9](?:[A-Za-z0-9._-]{0,94}[A-Za-z0-9])?$/;

export function repoNameProblem(name: string): string | null {
  if (name.length === 0) return 'Enter a repo name.';
  if (name.length > 96) return 'A repo name has at most 96 characters.';
  if (name.endsWith('.git')) return 'A repo name cannot end with .git.';
  if (/--|\.\./.test(name)) return 'A repo name cannot contain "--" or "..".';
  if (!REPO_NAME_RE.test(name)) return 'Use letters, digits, "-", "_" and "."; start and end with a letter or digit.';
  return null;
}

const RepoIdSchema = z
  .string()
  .trim()
  .min(3, 'Choose a repo, like you/my-lora.')
  .max(200)
  .superRefine((id, ctx) => {
    const parts = id.split('/');
    if (parts.length !== 2 || !parts[0]) {
      ctx.addIssue({ code: 'custom', message: `"${id}" needs a namespace: like you/my-lora.` });
      return;
    }
    const bad = repoNameProblem(parts[1] as string) ?? (REPO_NAME_RE.test(parts[0]) ? null : `"${parts[0]}" is not a valid user or organization name.`);
    if (bad) ctx.addIssue({ code: 'custom', message: bad });
  });

const PathList = z.array(z.string().min(1).max(4096)).max(1000);
const Globs = z.array(z.string().min(1).max(256)).max(100);

export const PublishSource = z
  .object({
    /** Local files and folders (folders keep their structure). */
    paths: PathList.default([]),
    /** A Library item: its file(s) (all parts of a split GGUF). */
    item: ItemKeySchema.optional(),
  })
  .strict()
  .refine((s) => s.paths.length > 0 || s.item !== undefined, { message: 'Choose the files or folder to publish.' });

export const PublishTarget = z
  .object({
    repo: RepoIdSchema,
    repoType: z.enum(['model', 'dataset']).default('model'),
    revision: z.string().trim().min(1).max(255).default('main'),
    createPr: z.boolean().default(false),
    /** Where in the repo the files go ('' = the root). */
    pathInRepo: z.string().trim().max(1024).default(''),
    include: Globs.default([]),
    exclude: Globs.default([]),
    /** Used when the repo does not exist yet. */
    private: z.boolean().default(true),
    license: z
      .string()
      .trim()
      .max(64)
      .regex(/^[a-z0-9.+-]*$/, 'A license id is lowercase, like apache-2.0.')
      .default(''),
  })
  .strict();

export const PublishPlanInput = z.object({ source: PublishSource, target: PublishTarget }).strict();

export const PublishStart = z
  .object({
    source: PublishSource,
    target: PublishTarget,
    message: z.string().trim().min(1, 'Write a commit message.').max(500),
    description: z.string().max(20_000).default(''),
    /** README.md to add (the suggested card, as edited); only when the upload has none. */
    card: z.string().max(200_000).optional(),
    /** The plan's head: refuse if the repo moved since the user looked. */
    parentCommit: z.string().regex(COMMIT_RE).optional(),
  })
  .strict();

const JobId = z.uuid('Not a publish job id.');

export const publishRequests = {
  /** Who the token is and where it may publish (asks the Hub). */
  'publish.access': request<PublishAccess>()(Empty),
  /** The namespace's repos (for "publish into an existing repo"). */
  'publish.repos': request<{ namespace: string; repos: { id: string; private: boolean }[] }>()(
    z.object({ namespace: z.string().trim().min(1).max(96), repoType: z.enum(['model', 'dataset']).default('model') }).strict(),
  ),
  'publish.plan': request<PublishPlan>()(PublishPlanInput),
  'publish.start': request<PublishJob>()(PublishStart),
  'publish.cancel': request<PublishJob>()(z.object({ id: JobId }).strict()),
  /** Downloads every published file back from the Hub and compares its sha256. */
  'publish.verify': request<PublishJob>()(z.object({ id: JobId }).strict()),
  'publish.list': request<PublishJob[]>()(Empty),
} as const;

export const publishEvents = {
  'publish.changed': event<PublishJob>(),
} as const;
