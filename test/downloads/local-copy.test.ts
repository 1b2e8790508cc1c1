/**
 * A blob another repo folder of the same cache already holds is copied instead of downloaded, and
 * verified before it takes its name: a copy whose hash is wrong is dropped (the next source is
 * tried, else the download goes on as usual), and only regular files of other repo folders count.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyLocalBlob } from '../../src-main/downloads/local-copy';
import { tmpDir } from '../helpers/tmp';

const DATA = Buffer.alloc(300_000, 5);
const ETAG = createHash('sha256').update(DATA).digest('hex');

function blobIn(cache: string, folder: string, data: Buffer | null, etag = ETAG): string {
  const blobs = path.join(cache, folder, 'blobs');
  fs.mkdirSync(blobs, { recursive: true });
  const p = path.join(blobs, etag);
  if (data) fs.writeFileSync(p, data);
  return p;
}

/** Where the repo being downloaded wants the blob. */
function target(cache: string): string {
  return blobIn(cache, 'models--org--new', null);
}

const live = () => new AbortController().signal;

describe('copyLocalBlob', () => {
  it('copies the blob from another repo folder, verified, leaving no temp file', async () => {
    const cache = tmpDir();
    const src = blobIn(cache, 'models--org--fork', DATA);
    const dest = target(cache);
    expect(await copyLocalBlob(cache, 'models--org--new', ETAG, DATA.length, dest, live())).toBe(src);
    expect(fs.readFileSync(dest).equals(DATA)).toBe(true);
    expect(fs.readdirSync(path.dirname(dest))).toEqual([ETAG]);
    expect(fs.statSync(src).ino).not.toBe(fs.statSync(dest).ino); // a copy, not the other repo's file itself
  });

  it('drops a source whose bytes are not what its name says and tries the next one', async () => {
    const cache = tmpDir();
    const wrong = Buffer.from(DATA);
    wrong[1000] = 9;
    blobIn(cache, 'datasets--a--bad', wrong);
    const good = blobIn(cache, 'models--z--good', DATA);
    const dest = target(cache);
    expect(await copyLocalBlob(cache, 'models--org--new', ETAG, DATA.length, dest, live())).toBe(good);
    expect(fs.readFileSync(dest).equals(DATA)).toBe(true);
    expect(fs.readdirSync(path.dirname(dest))).toEqual([ETAG]);
  });

  it('finds nothing in its own folder, outside repo folders, in links, at another size, or once aborted', async () => {
    const cache = tmpDir();
    blobIn(cache, 'models--org--new', DATA); // its own folder
    blobIn(cache, '.locks', DATA);
    blobIn(cache, 'not-a-repo', DATA);
    blobIn(cache, 'models--org--short', DATA.subarray(1));
    const outside = path.join(tmpDir(), 'outside');
    fs.writeFileSync(outside, DATA);
    fs.symlinkSync(outside, blobIn(cache, 'models--org--link', null));
    const dest = path.join(tmpDir(), ETAG);
    expect(await copyLocalBlob(cache, 'models--org--new', ETAG, DATA.length, dest, live())).toBeNull();
    expect(fs.existsSync(dest)).toBe(false);
    blobIn(cache, 'models--org--fine', DATA);
    const aborted = new AbortController();
    aborted.abort();
    expect(await copyLocalBlob(cache, 'models--org--new', ETAG, DATA.length, dest, aborted.signal)).toBeNull();
    expect(await copyLocalBlob(cache, 'models--org--new', ETAG, DATA.length, dest, live())).not.toBeNull();
  });
});
