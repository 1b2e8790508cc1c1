/**
 * What the active token may publish, read from whoami-v2 before any byte is sent, so a read token
 * or a fine-grained token without write access gets an explanation instead of a 403 halfway.
 * whoami is asked through HubHttp, which adds the token; this module never sees it.
 */
import type { AccessProblem, PublishAccess, PublishNamespace } from '../contract/publish';
import { HubError } from '../hub/errors';
import type { HubHttp } from '../hub/http';

interface WhoAmI {
  name?: unknown;
  orgs?: { name?: unknown; roleInOrg?: unknown }[];
  auth?: {
    accessToken?: {
      role?: unknown;
      fineGrained?: { global?: unknown; scoped?: { entity?: { type?: unknown; name?: unknown }; permissions?: unknown }[] };
    };
  };
}

export interface TokenScopes {
  access: PublishAccess;
  /** Fine-grained: repos (not namespaces) the token may write to. */
  writableRepos: string[];
}

const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 && v.length <= 200 ? v : null);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string').slice(0, 1000) : []);

export async function readAccess(hub: HubHttp, source: PublishAccess['source']): Promise<TokenScopes> {
  const anonymous: TokenScopes = {
    access: { signedIn: false, user: null, role: null, source: null, namespaces: [], canOpenPullRequests: false },
    writableRepos: [],
  };
  if (!hub.signedIn) return anonymous;
  let who: WhoAmI;
  try {
    const res = await hub.fetch(hub.url('/api/whoami-v2'), { ctx: {} });
    who = (await res.json()) as WhoAmI;
  } catch (error) {
    if (error instanceof HubError && error.code === 'UNAUTHORIZED') {
      return { access: { ...anonymous.access, signedIn: true, source, role: 'unknown' }, writableRepos: [] };
    }
    throw error;
  }
  const user = str(who.name);
  const at = who.auth?.accessToken;
  const role = at?.role === 'read' || at?.role === 'write' || at?.role === 'fineGrained' ? at.role : 'unknown';
  const orgs = (Array.isArray(who.orgs) ? who.orgs : []).slice(0, 500).flatMap((o) => {
    const name = str(o?.name);
    return name ? [{ name, readOnlyMember: o.roleInOrg === 'read' }] : [];
  });
  const scoped = Array.isArray(at?.fineGrained?.scoped) ? at.fineGrained.scoped.slice(0, 1000) : [];
  const global = strings(at?.fineGrained?.global);
  const writesTo = (name: string) =>
    scoped.some((s) => (s.entity?.type === 'user' || s.entity?.type === 'org') && s.entity.name === name && strings(s.permissions).includes('repo.write'));
  const canWriteNs = (name: string, readOnlyMember: boolean) => (role === 'write' ? !readOnlyMember : role === 'fineGrained' ? writesTo(name) : false);
  const namespaces: PublishNamespace[] = [
    ...(user ? [{ name: user, kind: 'user' as const, canWrite: canWriteNs(user, false) }] : []),
    ...orgs.map((o) => ({ name: o.name, kind: 'org' as const, canWrite: canWriteNs(o.name, o.readOnlyMember) })),
  ];
  const writableRepos =
    role === 'fineGrained'
      ? scoped.flatMap((s) => {
          const name = str(s.entity?.name);
          return name && name.includes('/') && strings(s.permissions).includes('repo.write') ? [name] : [];
        })
      : [];
  return {
    access: {
      signedIn: true,
      user,
      role,
      source,
      namespaces,
      canOpenPullRequests: role === 'write' || (role === 'fineGrained' && global.includes('discussion.write')),
    },
    writableRepos,
  };
}

const NEEDED = 'A "write" token, or a fine-grained token with "Write access to contents/settings of all repos" under the namespace you publish to.';

/** Why this token cannot publish to `repo` this way, or null when it can. */
export function accessProblem(scopes: TokenScopes, repo: string, opts: { createPr: boolean; repoExists: boolean; endpoint: string }): AccessProblem | null {
  const { access } = scopes;
  const createTokenUrl = `${opts.endpoint}/settings/tokens/new?tokenType=write`;
  const base = { needed: NEEDED, createTokenUrl };
  if (!access.signedIn) {
    return { ...base, reason: 'anonymous', message: 'Publishing needs a Hub token with write access: sign in with one. Browsing and downloading never do.' };
  }
  if (access.role === 'unknown' && access.user === null) {
    return { ...base, reason: 'invalid-token', message: 'The Hub rejected the token in use (invalid, expired or revoked): sign in with another one.' };
  }
  if (access.role === 'read') {
    return {
      ...base,
      reason: 'read-token',
      message: `The token in use${access.source === 'HF_TOKEN' ? ' (from HF_TOKEN)' : ''} is a read token: it can download but not publish. Sign in with a write token to publish.`,
    };
  }
  const namespace = repo.split('/')[0] as string;
  const ns = access.namespaces.find((n) => n.name === namespace);
  if (ns?.canWrite || scopes.writableRepos.includes(repo)) return null;
  if (opts.createPr && opts.repoExists && access.canOpenPullRequests) return null;
  if (access.role === 'fineGrained' && ns) {
    return {
      ...base,
      reason: 'no-write-scope',
      message: `This fine-grained token cannot write to ${namespace}'s repos. Give it "repo.write" for ${namespace} on the Hub, or sign in with another token.`,
    };
  }
  const yours = access.namespaces.filter((n) => n.canWrite).map((n) => n.name);
  const where = yours.length > 0 ? `under ${yours.join(', ')}` : 'nowhere with this token';
  if (opts.repoExists) {
    return {
      ...base,
      reason: 'not-your-namespace',
      message: access.canOpenPullRequests
        ? `You cannot write to ${repo} directly: choose "Open as a pull request", or publish ${where}.`
        : `This token cannot write to ${repo} or open pull requests there; you can publish ${where}.`,
    };
  }
  return { ...base, reason: 'not-your-namespace', message: `You can only create repos ${where}; "${namespace}" is not one of them.` };
}
