/** What updates remember between runs: written privately, read back checked, anything malformed dropped rather than trusted. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { emptyRepoRecord, UpdatesStore } from '../../src-main/updates/record';
import { tmpDir } from '../helpers/tmp';

const C1 = '1'.repeat(40);
const C2 = '2'.repeat(40);

describe('the updates record', () => {
  it('starts empty, keeps what was saved across a restart, 0600', () => {
    const dir = tmpDir();
    const first = new UpdatesStore(dir);
    expect(first.data).toEqual({ version: 1, lastCheckedAt: null, daily: false, keepPrevious: true, repos: {} });
    const r = first.repo('model:org/m');
    expect(r).toEqual(emptyRepoRecord());
    r.pinned = C1;
    r.branches.push({ branch: 'main', cachedCommit: C1, headCommit: C2, state: 'available', message: null });
    first.data.daily = true;
    first.save();
    expect(fs.statSync(path.join(dir, 'updates.json')).mode & 0o777).toBe(0o600);
    const again = new UpdatesStore(dir);
    expect(again.data.daily).toBe(true);
    expect(again.repo('model:org/m')).toMatchObject({ pinned: C1, branches: [{ branch: 'main', headCommit: C2, state: 'available' }] });
    // The same object: a change to it is saved with the next save.
    expect(again.repo('model:org/m')).toBe(again.repo('model:org/m'));
  });

  it('drops a record that is malformed or claims what is not a commit, instead of trusting it', () => {
    for (const text of [
      'not json',
      JSON.stringify({ version: 2 }),
      JSON.stringify({ repos: { 'model:org/m': { pinned: '../../etc' } } }),
      JSON.stringify({
        repos: { 'model:org/m': { branches: [{ branch: 'main', cachedCommit: 'HEAD', headCommit: null, state: 'available', message: null }] } },
      }),
      JSON.stringify({ repos: { 'model:org/m': { branches: [{ branch: 'main', cachedCommit: C1, headCommit: null, state: 'exploded', message: null }] } } }),
      JSON.stringify({ repos: { 'model:org/m': { previous: Array(101).fill(C1) } } }),
    ]) {
      const dir = tmpDir();
      fs.writeFileSync(path.join(dir, 'updates.json'), text);
      expect(new UpdatesStore(dir).data.repos, text).toEqual({});
    }
  });
});
