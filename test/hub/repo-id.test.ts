/** Repo ids, revisions and paths inside a repo: each checked before it becomes part of a URL or a cache path. */
import { describe, expect, it } from 'vitest';
import { checkRevision, isSafeRepoPath, isValidRepoId, isValidRevision, parseRepoId, repoApiPath, repoUrlPath } from '../../src-main/hub/repo-id';

describe('repo ids', () => {
  it('follows the Hub rules: one or two segments, no -- or .., at most 96 characters each', () => {
    for (const ok of ['gpt2', 'org/model-name', 'Org_1/m.v2', 'a/b', `${'a'.repeat(96)}/x`]) expect(isValidRepoId(ok)).toBe(true);
    for (const bad of ['', 'a/b/c', 'org/-lead', 'org/trail-', 'org/a--b', 'org/a..b', 'org/ sp', `${'a'.repeat(97)}/x`, 'org/', '/m', 'org/m?x'])
      expect(isValidRepoId(bad)).toBe(false);
  });

  it('parses a pasted id or Hub URL, and refuses anything else with the id in the message', () => {
    expect(parseRepoId(' org/model ')).toEqual({ type: 'model', id: 'org/model' });
    expect(parseRepoId('https://huggingface.co/org/model/')).toEqual({ type: 'model', id: 'org/model' });
    expect(parseRepoId('org/data', 'dataset')).toEqual({ type: 'dataset', id: 'org/data' });
    expect(() => parseRepoId('org/../x')).toThrow(/"org\/\.\.\/x" is not a valid repo id/);
    let code: string | undefined;
    try {
      parseRepoId('a/b/c');
    } catch (e) {
      code = (e as { code?: string }).code;
    }
    expect(code).toBe('VALIDATION_FAILED');
  });

  it('names the repo in URLs and API paths by its type', () => {
    expect(repoUrlPath({ type: 'model', id: 'o/m' })).toBe('o/m');
    expect(repoUrlPath({ type: 'dataset', id: 'o/d' })).toBe('datasets/o/d');
    expect(repoApiPath({ type: 'model', id: 'o/m' })).toBe('models/o/m');
    expect(repoApiPath({ type: 'space', id: 'o/s' })).toBe('spaces/o/s');
  });
});

describe('revisions', () => {
  it('accepts branches, tags, PR refs and commits; refuses what could escape refs/ or break a URL', () => {
    for (const ok of ['main', 'v1.0', 'refs/pr/12', 'feature/x', 'a'.repeat(40)]) expect(isValidRevision(ok)).toBe(true);
    for (const bad of [
      '',
      '..',
      'a/../b',
      'x.lock',
      'a/.hidden',
      'has space',
      'a:b',
      'a\\b',
      'a~1',
      'a^',
      'q?',
      'st*r',
      'br[',
      'nul\0',
      'a//b',
      'r'.repeat(256),
    ])
      expect(isValidRevision(bad)).toBe(false);
    expect(checkRevision('main')).toBe('main');
    expect(() => checkRevision('../main')).toThrow(/not a valid revision/);
  });
});

describe('paths inside a repo', () => {
  it('are relative, /-separated, without empty, . or .. parts, NUL, backslashes or drive letters', () => {
    for (const ok of ['a.txt', 'sub/dir/b.bin', '.gitattributes', 'a..b']) expect(isSafeRepoPath(ok)).toBe(true);
    for (const bad of ['', '/etc/passwd', '../x', 'a/./b', 'a//b', 'a/..', 'a\\b', 'C:x', 'nul\0', 'x'.repeat(4097)]) expect(isSafeRepoPath(bad)).toBe(false);
  });
});
