/** One rule for following redirects: bounded hops, http(s) only, and the same origin unless asked. */
import { describe, expect, it } from 'vitest';
import { MAX_REDIRECTS, nextHop, resolveLocation, staysOnOrigin } from '../../src-main/hub/redirects';

const HUB = 'https://huggingface.co/org/m/resolve/main/a.bin';

describe('redirects', () => {
  it('resolves relative locations and refuses schemes other than http(s)', () => {
    expect(resolveLocation(HUB, '/api/x')?.toString()).toBe('https://huggingface.co/api/x');
    expect(resolveLocation(HUB, 'b.bin')?.toString()).toBe('https://huggingface.co/org/m/resolve/main/b.bin');
    expect(resolveLocation(HUB, 'file:///etc/passwd')).toBeNull();
    expect(resolveLocation(HUB, 'javascript:alert(1)')).toBeNull();
    expect(resolveLocation(HUB, 'http://[bad')).toBeNull();
  });

  it('judges "relative" on the resolved URL: //host and /\\host lead elsewhere', () => {
    expect(staysOnOrigin(HUB, '/org/m/resolve/abc/a.bin')).toBe(true);
    expect(staysOnOrigin(HUB, '//evil.example/x')).toBe(false);
    expect(staysOnOrigin(HUB, '/\\evil.example/x')).toBe(false);
    expect(staysOnOrigin(HUB, 'http://huggingface.co/x')).toBe(false);
  });

  it('follows within the origin, elsewhere only when asked, and never past the hop limit; refusals are permanent', () => {
    expect(nextHop(HUB, '/other', 0)).toBe('https://huggingface.co/other');
    expect(() => nextHop(HUB, 'https://cdn.example/x', 0)).toThrow(/redirected to another host \(cdn\.example\)/);
    expect(nextHop(HUB, 'https://cdn.example/x', 0, { anyOrigin: true })).toBe('https://cdn.example/x');
    expect(() => nextHop(HUB, '/again', MAX_REDIRECTS)).toThrow(/Too many redirects/);
    expect(nextHop(HUB, '/again', MAX_REDIRECTS - 1)).toBe('https://huggingface.co/again');
    try {
      nextHop(HUB, 'ftp://x/y', 0, { details: { status: 302 } as never });
      expect.unreachable();
    } catch (e) {
      expect((e as Error).message).toMatch(/will not follow \("ftp:\/\/x\/y"\)/);
      expect((e as { details?: { permanent?: boolean; status?: number } }).details).toMatchObject({ permanent: true, status: 302 });
    }
  });
});
