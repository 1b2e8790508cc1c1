/**
 * The Hub endpoint. Read from HF_ENDPOINT only (as Python does), never from a setting the
 * renderer can change: the token is sent to this origin, so it must not be redirectable from the UI.
 */
export const DEFAULT_ENDPOINT = 'https://huggingface.co';

export interface ResolvedEndpoint {
  url: string;
  source: 'HF_ENDPOINT' | 'default';
}

export function resolveEndpoint(env: Readonly<Record<string, string | undefined>>): ResolvedEndpoint {
  const raw = env.HF_ENDPOINT?.trim();
  if (!raw) return { url: DEFAULT_ENDPOINT, source: 'default' };
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new Error(`HF_ENDPOINT is not a valid URL: ${JSON.stringify(raw)}`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new Error(`HF_ENDPOINT must be an http(s) URL, got ${parsed.protocol}`);
  }
  return { url: raw.replace(/\/+$/, ''), source: 'HF_ENDPOINT' };
}
