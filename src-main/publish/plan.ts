/**
 * The publish plan: exactly what publishing would do, before anything is sent. The local files
 * (a Library model's parts or chosen paths, filtered), the repo's state on the Hub (exists, branch,
 * README), whether the token may write there, each file's action (add, replace, unchanged) against
 * the branch, the card to suggest, and how many commits it takes.
 */
import type { z } from 'zod';
import { ApiError } from '../contract/errors';
import { parseItemKey } from '../contract/keys';
import type { PublishPlan, PublishPlanInput } from '../contract/publish';
import type { FileHashes } from '../apps/hashes';
import { HubError } from '../hub/errors';
import type { HubHttp } from '../hub/http';
import { repoApiPath, type RepoRef } from '../hub/repo-id';
import { repoPageUrl } from '../hub/resolve';
import type { Library } from '../library/library';
import { accessProblem, readAccess, type TokenScopes } from './access';
import { compareWithRepo } from './compare';
import { collectFiles, modelParts } from './files';
import { cardFacts, renderCard } from './model-card';

type PlanInput = z.output<typeof PublishPlanInput>;
type PublishFile = PublishPlan['files'][number];

export interface PlanContext {
  hub: HubHttp;
  tokenSource: () => PublishPlan['access']['source'];
  library: Pick<Library, 'item'>;
  hashes: FileHashes;
  /** Files per commit. */
  perCommit: number;
}

export async function tokenScopes(ctx: Pick<PlanContext, 'hub' | 'tokenSource'>): Promise<TokenScopes> {
  ctx.hub.assertOnline();
  return readAccess(ctx.hub, ctx.tokenSource());
}

async function localPaths(ctx: PlanContext, source: PlanInput['source']): Promise<string[]> {
  const paths = [...source.paths];
  if (source.item) {
    if (!parseItemKey(source.item)) throw new ApiError('VALIDATION_FAILED', 'Not a Library model.');
    const item = await ctx.library.item(source.item);
    if (item.missing) throw new ApiError('INVALID_PATH', `${item.name} is no longer at ${item.path}.`);
    paths.push(...modelParts(item.path));
  }
  return paths;
}

/** Repo state: whether it exists, whether the branch exists, whether it has a README. */
async function repoState(hub: HubHttp, repo: RepoRef, revision: string): Promise<{ exists: boolean; branchExists: boolean; hasReadme: boolean }> {
  try {
    const res = await hub.fetch(hub.url(`/api/${repoApiPath(repo)}`), { ctx: { repo: repo.id } });
    const info = (await res.json()) as { siblings?: { rfilename?: unknown }[]; sha?: unknown };
    let branchExists = true;
    let hasReadme = (info.siblings ?? []).some((s) => s.rfilename === 'README.md');
    if (revision !== 'main') {
      try {
        const r = await hub.fetch(hub.url(`/api/${repoApiPath(repo)}/revision/${encodeURIComponent(revision)}`), { ctx: { repo: repo.id, revision } });
        const rev = (await r.json()) as { siblings?: { rfilename?: unknown }[] };
        hasReadme = (rev.siblings ?? []).some((s) => s.rfilename === 'README.md');
      } catch (error) {
        if (!(error instanceof HubError && error.code === 'REVISION_NOT_FOUND')) throw error;
        branchExists = false;
      }
    }
    return { exists: true, branchExists, hasReadme };
  } catch (error) {
    if (error instanceof HubError && error.code === 'REPO_NOT_FOUND') return { exists: false, branchExists: false, hasReadme: false };
    throw error;
  }
}

export async function planPublish(ctx: PlanContext, input: PlanInput): Promise<PublishPlan> {
  const { target } = input;
  const repo: RepoRef = { type: target.repoType, id: target.repo };
  const collected = collectFiles(await localPaths(ctx, input.source), { pathInRepo: target.pathInRepo, include: target.include, exclude: target.exclude });
  if (collected.files.length === 0) {
    const why = collected.skipped.length > 0 ? ` (${collected.skipped.length} skipped: ${collected.skipped[0]?.reason ?? ''})` : '';
    throw new ApiError('VALIDATION_FAILED', `Nothing to publish: no files were selected${why}.`);
  }
  const scopes = await tokenScopes(ctx);
  const state = await repoState(ctx.hub, repo, target.revision);
  if (target.createPr && !state.exists) throw new ApiError('VALIDATION_FAILED', `${repo.id} does not exist yet: a pull request needs an existing repo.`);
  const problem = accessProblem(scopes, repo.id, { createPr: target.createPr, repoExists: state.exists, endpoint: ctx.hub.endpoint });
  let head: string | null = null;
  let actions = new Map<string, PublishFile['action']>();
  let modes = new Map<string, 'lfs' | 'regular'>();
  if (state.exists && state.branchExists && !problem) {
    const cmp = await compareWithRepo(ctx.hub, repo, {
      revision: target.revision,
      createPr: target.createPr,
      files: collected.files,
      hashes: ctx.hashes,
    });
    head = cmp.head || null;
    actions = cmp.actions;
    modes = cmp.modes;
  }
  const files = collected.files.map((f) => ({
    path: f.path,
    localPath: f.localPath,
    size: f.size,
    action: actions.get(f.path) ?? ('add' as const),
    lfs: modes.has(f.path) ? modes.get(f.path) === 'lfs' : null,
  }));
  const count = (a: string) => files.filter((f) => f.action === a).length;
  const toSend = files.filter((f) => f.action !== 'unchanged');
  const hasReadme = collected.files.some((f) => f.path === 'README.md');
  const needsCard = !hasReadme && !state.hasReadme;
  return {
    repo: repo.id,
    repoType: repo.type as 'model' | 'dataset',
    revision: target.revision,
    createPr: target.createPr,
    createsRepo: !state.exists,
    createsBranch: !target.createPr && target.revision !== 'main' && !state.branchExists,
    parentCommit: head,
    files,
    totals: {
      files: files.length,
      bytes: files.reduce((a, f) => a + f.size, 0),
      add: count('add'),
      replace: count('replace'),
      unchanged: count('unchanged'),
      bytesToSend: toSend.reduce((a, f) => a + f.size, 0),
    },
    skipped: collected.skipped,
    needsCard,
    suggestedCard: needsCard ? renderCard(repo.id, await cardFacts(collected.files), collected.files, target.license) : null,
    commits: Math.max(1, Math.ceil(toSend.length / ctx.perCommit)),
    access: scopes.access,
    problem,
    repoUrl: repoPageUrl(ctx.hub, repo),
  };
}
