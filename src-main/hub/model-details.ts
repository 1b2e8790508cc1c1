/** Everything a model page shows, for one repo at one revision, through the Hub API. */
import { listFiles, modelInfo } from '@huggingface/hub';
import type { ModelDetails, ModelFile } from '../contract/model';
import { HubError } from './errors';
import type { HubHttp } from './http';
import { checkRevision, parseRepoId } from './repo-id';
import { groupFiles } from './file-groups';
import { resolveUrl } from '../downloads/plan';

const MAX_CARD = 512 * 1024;

export async function modelDetails(hub: HubHttp, id: string, revision: string): Promise<ModelDetails> {
  const repo = parseRepoId(id);
  checkRevision(revision);
  const ctx = { repo: repo.id, revision, repoUrl: hub.url(`/${repo.id}`) };
  const info = (await modelInfo({
    name: repo.id,
    revision,
    hubUrl: hub.endpoint,
    fetch: hub.libraryFetch,
    additionalFields: ['sha', 'tags', 'safetensors'],
  }).catch((e: unknown) => {
    throw e instanceof HubError && e.code === 'REVISION_NOT_FOUND' ? new HubError('REVISION_NOT_FOUND', `Revision "${revision}" does not exist in ${repo.id}.`, ctx) : e;
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
  const files: ModelFile[] = [];
  for await (const e of listFiles({ repo: { type: 'model', name: repo.id }, revision: info.sha, recursive: true, hubUrl: hub.endpoint, fetch: hub.libraryFetch })) {
    if (e.type === 'file') files.push({ path: e.path, size: e.lfs?.size ?? e.size, lfs: Boolean(e.lfs) });
  }
  const refs = (await (await hub.fetch(hub.url(`/api/models/${repo.id}/refs`), { ctx })).json().catch(() => ({}))) as {
    branches?: { name: string }[];
    tags?: { name: string }[];
  };
  let card: string | null = null;
  let cardNote: string | null = null;
  const readme = files.find((f) => f.path === 'README.md');
  if (readme && readme.size <= MAX_CARD) {
    try {
      const text = await (await hub.fetch(resolveUrl(hub, repo, info.sha, 'README.md'), { ctx: { ...ctx, path: 'README.md' } })).text();
      card = text.replace(/^---\r?\n[\s\S]*?\r?\n---\r?\n/, '');
    } catch (error) {
      cardNote = error instanceof HubError && error.code === 'GATED' ? 'The model card is behind the gate: sign in and request access.' : 'The model card could not be read.';
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
    branches: (refs.branches ?? []).map((b) => b.name),
    tags_: (refs.tags ?? []).map((t) => t.name),
    groups: groupFiles(files),
    card,
    cardNote,
    url: hub.url(`/${repo.id}`),
  };
}
