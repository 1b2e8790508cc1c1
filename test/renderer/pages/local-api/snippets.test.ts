/** Client snippets for the local API: every client gets the base URL and the model, and none carries a key. */
import { describe, expect, it } from 'vitest';
import { snippets } from '../../../../src-renderer/pages/local-api/snippets';

describe('snippets', () => {
  const all = snippets('http://127.0.0.1:8484/v1', 'acme/tiny-llm');

  it('covers curl, both openai SDKs, Continue and Open WebUI', () => {
    expect(all.map((s) => s.id)).toEqual(['curl', 'python', 'javascript', 'continue', 'open-webui']);
  });

  it('gives each the base URL, and the model to every client that names one', () => {
    for (const s of all) expect(s.text).toContain('http://127.0.0.1:8484/v1');
    for (const s of all.filter((x) => x.id !== 'open-webui')) expect(s.text).toContain('acme/tiny-llm');
  });

  it('reads the key from HUBCAP_API_KEY or says where to paste it, never holds one', () => {
    for (const s of all) expect(s.text).toMatch(/HUBCAP_API_KEY|<the key above>/);
    expect(all.some((s) => /hc-[A-Za-z0-9_-]{10,}/.test(s.text))).toBe(false);
  });

  it('quotes the model where a language needs it (a name with quotes cannot break out)', () => {
    const odd = snippets('http://h/v1', 'a"b');
    expect(odd.find((s) => s.id === 'python')?.text).toContain('model="a\\"b"');
    expect(odd.find((s) => s.id === 'curl')?.text).toContain('"model": "a\\"b"');
  });
});
