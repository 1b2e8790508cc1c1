/** One file's metadata from a HEAD, as Python's get_hf_file_metadata reads it: same-origin hops followed, the CDN's redirect is the answer, every header checked. */
import { describe, expect, it } from 'vitest';
import { fileMetadata, normalizeEtag, resolveCommit, resolveUrl } from '../../src-main/hub/resolve';
import { hubAnswering, json } from '../helpers/fakes';

const REPO = { type: 'model' as const, id: 'org/m' };
const COMMIT = 'c'.repeat(40);
const SHA256 = 'a'.repeat(64);
const head = (status: number, headers: Record<string, string>) => new Response(null, { status, headers });

describe('resolve URLs and etags', () => {
  it('encode each part of the path and the revision, and name datasets by their prefix', () => {
    const { http } = hubAnswering(() => head(200, {}));
    expect(resolveUrl(http, REPO, 'refs/pr/1', 'sub dir/a#b.gguf')).toBe('https://hub.example/org/m/resolve/refs%2Fpr%2F1/sub%20dir/a%23b.gguf');
    expect(resolveUrl(http, { type: 'dataset', id: 'o/d' }, 'main', 'x.csv')).toBe('https://hub.example/datasets/o/d/resolve/main/x.csv');
  });

  it('take a weak or quoted etag, lowercased, and nothing that is not a blob id', () => {
    expect(normalizeEtag(`W/"${'A'.repeat(40)}"`)).toBe('a'.repeat(40));
    expect(normalizeEtag(`"${SHA256}"`)).toBe(SHA256);
    expect(normalizeEtag('"abc-123"')).toBeNull();
    expect(normalizeEtag(null)).toBeNull();
  });
});

describe('fileMetadata', () => {
  it('reads an LFS file from the CDN redirect’s linked headers, the Xet hash when valid, and where the bytes are', async () => {
    const { http, asked } = hubAnswering(() =>
      head(302, {
        location: 'https://cdn.example/x',
        'x-repo-commit': COMMIT,
        'x-linked-etag': `"${SHA256}"`,
        'x-linked-size': '5000',
        etag: `"${'1'.repeat(40)}"`,
        'x-xet-hash': 'E'.repeat(64),
      }),
    );
    expect(await fileMetadata(http, REPO, 'main', 'model.gguf')).toEqual({
      path: 'model.gguf',
      size: 5000,
      etag: SHA256,
      lfs: true,
      commit: COMMIT,
      xetHash: 'e'.repeat(64),
      downloadUrl: 'https://cdn.example/x',
    });
    expect(asked).toHaveLength(1); // the CDN is not asked
  });

  it('keeps the xet-auth link of a Xet file on the Hub’s origin, and drops one that points elsewhere', async () => {
    const answer = (link: string) =>
      hubAnswering(() =>
        head(302, {
          location: 'https://cdn.example/x',
          'x-repo-commit': COMMIT,
          'x-linked-etag': `"${SHA256}"`,
          'x-linked-size': '5000',
          'x-xet-hash': 'e'.repeat(64),
          link,
        }),
      ).http;
    const ours = `</api/models/org/m/xet-read-token/${COMMIT}>; rel="xet-auth", <https://cas.example/v1/reconstructions/${'e'.repeat(64)}>; rel="xet-reconstruction-info"`;
    expect((await fileMetadata(answer(ours), REPO, 'main', 'model.gguf')).xetAuthUrl).toBe(`https://hub.example/api/models/org/m/xet-read-token/${COMMIT}`);
    const elsewhere = `<https://evil.example/api/models/org/m/xet-read-token/${COMMIT}>; rel="xet-auth"`;
    expect((await fileMetadata(answer(elsewhere), REPO, 'main', 'model.gguf')).xetAuthUrl).toBeUndefined();
  });

  it('follows a renamed repo’s same-origin redirect, then reads a regular file from its own headers', async () => {
    const { http, asked } = hubAnswering((url) =>
      url.pathname.startsWith('/org/m/')
        ? head(307, { location: '/org/renamed/resolve/main/config.json' })
        : head(200, { 'x-repo-commit': COMMIT, etag: `"${'2'.repeat(40)}"`, 'content-length': '20' }),
    );
    expect(await fileMetadata(http, REPO, 'main', 'config.json')).toEqual({ path: 'config.json', size: 20, etag: '2'.repeat(40), lfs: false, commit: COMMIT });
    expect(asked.map((u) => u.pathname)).toEqual(['/org/m/resolve/main/config.json', '/org/renamed/resolve/main/config.json']);
  });

  it('refuses an answer without a commit or blob id, or with a size that is not one', async () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ etag: `"${'2'.repeat(40)}"`, 'content-length': '1' }, /lacks a valid commit or file id/],
      [{ 'x-repo-commit': 'HEAD', etag: `"${'2'.repeat(40)}"`, 'content-length': '1' }, /lacks a valid commit or file id/],
      [{ 'x-repo-commit': COMMIT, etag: '"weird"', 'content-length': '1' }, /lacks a valid commit or file id/],
      [{ 'x-repo-commit': COMMIT, etag: `"${'2'.repeat(40)}"`, 'x-linked-size': '-5' }, /invalid size \("-5"\)/],
    ];
    for (const [headers, message] of cases) {
      const { http } = hubAnswering(() => head(200, headers));
      await expect(fileMetadata(http, REPO, 'main', 'f'), JSON.stringify(headers)).rejects.toMatchObject({ code: 'SERVER_ERROR', message });
    }
  });

  it('takes a commit id as it is, without asking', async () => {
    const { http, asked } = hubAnswering(() => head(500, {}));
    expect(await resolveCommit(http, REPO, COMMIT)).toBe(COMMIT);
    expect(asked).toEqual([]);
  });
});

describe('resolveCommit', () => {
  it('asks the repo’s info at the revision for its sha alone, per repo type', async () => {
    const { http, asked } = hubAnswering(() => json({ _id: 'x', id: 'org/m', sha: COMMIT }));
    expect(await resolveCommit(http, REPO, 'refs/pr/1')).toBe(COMMIT);
    expect(await resolveCommit(http, { type: 'dataset', id: 'o/d' }, 'main')).toBe(COMMIT);
    expect(await resolveCommit(http, { type: 'space', id: 'o/s' }, 'v1')).toBe(COMMIT);
    expect(asked.map((u) => `${u.pathname}${u.search}`)).toEqual([
      '/api/models/org/m/revision/refs%2Fpr%2F1?expand=sha',
      '/api/datasets/o/d/revision/main?expand=sha',
      '/api/spaces/o/s/revision/v1?expand=sha',
    ]);
  });

  it('refuses an answer that names no commit, or is not JSON', async () => {
    for (const body of [{ sha: 'HEAD' }, { sha: 5 }, {}, null]) {
      const { http } = hubAnswering(() => json(body));
      await expect(resolveCommit(http, REPO, 'main'), JSON.stringify(body)).rejects.toMatchObject({
        code: 'SERVER_ERROR',
        message: /did not say which commit main is/,
      });
    }
    const { http } = hubAnswering(() => new Response('<html>', { status: 200 }));
    await expect(resolveCommit(http, REPO, 'main')).rejects.toMatchObject({ code: 'SERVER_ERROR' });
  });

  it('says which revision the Hub does not know, with the repo’s page', async () => {
    const { http } = hubAnswering(() => json({ error: 'Invalid rev id: nope' }, { 'x-error-code': 'RevisionNotFound' }, 404));
    await expect(resolveCommit(http, REPO, 'nope')).rejects.toMatchObject({ code: 'REVISION_NOT_FOUND', message: /nope/ });
  });
});

describe('fileMetadata’s download link', () => {
  it('is absolute, and only an http(s) URL', async () => {
    const answer = (location: string) =>
      hubAnswering(() => head(302, { location, 'x-repo-commit': COMMIT, 'x-linked-etag': `"${SHA256}"`, 'x-linked-size': '5000' })).http;
    expect((await fileMetadata(answer('//cdn.example/y?sig=1'), REPO, 'main', 'model.gguf')).downloadUrl).toBe('https://cdn.example/y?sig=1');
    expect((await fileMetadata(answer('ftp://cdn.example/y'), REPO, 'main', 'model.gguf')).downloadUrl).toBeUndefined();
  });
});
