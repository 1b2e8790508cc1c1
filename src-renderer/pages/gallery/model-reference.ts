/**
 * A model named the way people paste it: a Hub URL (with /tree/…, /blob/…/file.gguf, /resolve/…
 * or ?… suffixes), `hf.co/org/name`, `org/name`, or Ollama's `hf.co/org/name:Q4_K_M`. Pure, so it
 * is tested without a browser; the Gallery jumps to what it returns.
 */

export interface ModelReference {
  repo: string;
  /** A branch, tag or commit named in the URL (/tree/<rev>, /blob/<rev>/…); absent means main. */
  revision?: string;
  /** A file named in the URL (/blob/<rev>/<path>, /resolve/<rev>/<path>). */
  file?: string;
  /** A quantization named Ollama-style (`:Q4_K_M`). */
  quant?: string;
}

/** One segment of a repo id, by the Hub's rules (no `--` or `..`, ≤ 96 characters). */
const SEGMENT = /^(?!.*(?:--|\.\.))[A-Za-z0-9](?:[A-Za-z0-9._-]{0,94}[A-Za-z0-9])?$/;
const HUB_HOSTS = new Set(['huggingface.co', 'www.huggingface.co', 'hf.co']);
/** Top-level Hub pages that are not an organisation (a path under them is not a model). */
const NOT_MODELS = new Set([
  'datasets',
  'spaces',
  'docs',
  'blog',
  'settings',
  'collections',
  'papers',
  'organizations',
  'models',
  'api',
  'join',
  'login',
  'pricing',
  'tasks',
  'learn',
]);
const QUANT = /^(?:I?Q\d[\w]*|F16|F32|BF16|[A-Za-z0-9_.-]{1,40})$/;

function decode(part: string): string | null {
  try {
    return decodeURIComponent(part);
  } catch {
    return null;
  }
}

/** `org/name` from two path segments, or null. */
function repoOf(org: string | undefined, name: string | undefined): string | null {
  if (!org || !name || NOT_MODELS.has(org)) return null;
  return SEGMENT.test(org) && SEGMENT.test(name) ? `${org}/${name}` : null;
}

/**
 * What the pasted text points at, or null when it is a search (plain words) rather than a model.
 * `endpoint` is the Hub this app talks to (HF_ENDPOINT): its URLs are accepted too.
 */
export function parseModelReference(input: string, endpoint?: string): ModelReference | null {
  const text = input.trim();
  if (!text || text.length > 2000 || /\s/.test(text)) return null;
  const hosts = new Set(HUB_HOSTS);
  if (endpoint) {
    try {
      hosts.add(new URL(endpoint).host);
    } catch {
      // a malformed endpoint adds nothing
    }
  }
  const withScheme = /^https?:\/\//i.test(text) ? text : /^(?:www\.)?(?:huggingface\.co|hf\.co)\//i.test(text) ? `https://${text}` : null;
  if (!withScheme) {
    // org/name, or org/name:QUANT as Ollama writes it after hf.co/.
    const m = /^([^/:]+)\/([^/:]+)(?::([^/:]+))?$/.exec(text);
    if (!m) return null;
    const repo = repoOf(m[1], m[2]);
    if (!repo) return null;
    return m[3] && QUANT.test(m[3]) ? { repo, quant: m[3] } : m[3] ? null : { repo };
  }
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return null;
  }
  if (!hosts.has(url.host.toLowerCase())) return null;
  const parts = url.pathname.split('/').filter(Boolean).map(decode);
  if (parts.some((p) => p === null)) return null;
  const [org, nameAndQuant, kind, rev, ...rest] = parts as string[];
  const [name, quant, extra] = (nameAndQuant ?? '').split(':');
  if (extra !== undefined) return null;
  const repo = repoOf(org, name);
  if (!repo) return null;
  const ref: ModelReference = { repo };
  if (quant) {
    if (!QUANT.test(quant) || kind) return null;
    ref.quant = quant;
    return ref;
  }
  if (kind === 'tree' || kind === 'blob' || kind === 'resolve') {
    if (rev && rev !== 'main') ref.revision = rev;
    const file = rest.join('/');
    if (file && kind !== 'tree') ref.file = file;
  }
  return ref;
}

/** The model page's address for a reference: `#/model/<repo>?revision=…&file=…&quant=…`. */
export function modelPagePath(ref: ModelReference): string {
  const q = new URLSearchParams();
  if (ref.revision) q.set('revision', ref.revision);
  if (ref.file) q.set('file', ref.file);
  if (ref.quant) q.set('quant', ref.quant);
  const query = q.toString();
  return `/model/${encodeURIComponent(ref.repo)}${query ? `?${query}` : ''}`;
}
