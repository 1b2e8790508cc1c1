/** Everything a model page shows, for one repo at one revision, through the Hub API. */
import type { ModelDetails, ModelFile } from '../contract/model';
import { HubError } from './errors';
import type { HubHttp } from './http';
import { BODY_LIMITS } from './limits';
import { checkRevision, COMMIT_RE, isValidRevision, parseRepoId, type RepoRef } from './repo-id';
import { groupFiles } from './file-groups';
import { cardBody } from './model-card';
import { resolveUrl, revisionNotFound } from './resolve';
import { blobIdOf, listTree, type TreeFile } from './tree';

/**
 * `onListing`: the revision's full listing, for whoever keeps `trees/<commit>.json` (the core
 * writes it only for repos already in the cache, so browsing never creates cache folders).
 */
export async function modelDetails(
  hub: HubHttp,
  id: string,
  revision: string,
  onListing?: (repo: RepoRef, commit: string, files: TreeFile[]) => void,
): Promise<ModelDetails> {
  const repo = parseRepoId(id);
  checkRevision(revision);
  const ctx = { repo: repo.id, revision, repoUrl: hub.url(`/${repo.id}`) };
  // Loaded at the first model page, not when the core starts (#25).
  const { modelInfo } = await import('@huggingface/hub');
  const info = (await modelInfo({
    name: repo.id,
    revision,
    hubUrl: hub.endpoint,
    fetch: hub.libraryFetch,
    additionalFields: ['sha', 'tags', 'safetensors'],
  }).catch((e: unknown) => {
    throw e instanceof HubError && e.code === 'REVISION_NOT_FOUND' ? revisionNotFound(repo, revision, {}, ctx.repoUrl) : e;
  })) as unknown as {
    sha: string;
    private: boolean;
    gated: false | string;
    downloads: number;
    likes: number;
    updatedAt?: Date;
    lastModified?: string;
    task?: string;
    tags?: string[];
    gguf?: { total?: number };
    safetensors?: { total?: number };
  };
  if (typeof info.sha !== 'string' || !COMMIT_RE.test(info.sha))
    throw new HubError('SERVER_ERROR', `The Hub did not say which commit ${revision} of ${repo.id} is.`, ctx);
  const listing = await listTree(hub, repo, info.sha, ctx);
  onListing?.(repo, info.sha, listing);
  const files: ModelFile[] = listing.map((e) => ({ path: e.path, size: e.size, lfs: e.lfs !== null, etag: blobIdOf(e) }));
  const refs = (await (await hub.fetch(hub.url(`/api/models/${repo.id}/refs`), { ctx })).json().catch(() => ({}))) as { branches?: unknown; tags?: unknown };
  let card: string | null = null;
  let cardNote: string | null = null;
  const readme = files.find((f) => f.path === 'README.md');
  if (readme && readme.size <= BODY_LIMITS.card) {
    try {
      // The listed size is the Hub's word; the body is capped too, whatever it sends.
      const text = await (
        await hub.fetch(resolveUrl(hub, repo, info.sha, 'README.md'), { ctx: { ...ctx, path: 'README.md' }, maxBodyBytes: BODY_LIMITS.card })
      ).text();
      card = cardBody(text);
    } catch (error) {
      cardNote =
        error instanceof HubError && error.code === 'GATED'
          ? 'The model card is behind the gate: sign in and request access.'
          : 'The model card could not be read.';
    }
  } else if (readme) cardNote = 'The model card is too large to show here; open it on the Hub.';
  return {
    id: repo.id,
    revision,
    sha: info.sha,
    gated: Boolean(info.gated),
    private: info.private,
    downloads: info.downloads,
    likes: info.likes,
    lastModified: info.updatedAt ? new Date(info.updatedAt).toISOString() : (info.lastModified ?? null),
    pipelineTag: info.task ?? null,
    tags: info.tags ?? [],
    parameters: info.gguf?.total ?? info.safetensors?.total ?? null,
    branches: refNames(refs.branches),
    tags_: refNames(refs.tags),
    groups: groupFiles(files),
    card,
    cardNote,
    url: hub.url(`/${repo.id}`),
    source: 'hub',
  };
}

/** Branch or tag names from the refs answer: valid revisions only, a bounded number. */
function refNames(list: unknown): string[] {
  if (!Array.isArray(list)) return [];
  return list
    .map((r) => (typeof r === 'object' && r !== null ? (r as { name?: unknown }).name : undefined))
    .filter((n): n is string => typeof n === 'string' && isValidRevision(n))
    .slice(0, 500);
}
