/**
 * `trees/<commit>.json`, the listing huggingface_hub 2.0 keeps per commit: what Hubcap writes the
 * real Python reads back entry for entry, what Python writes Hubcap reads, and a record that cannot
 * be trusted (another format, impossible sizes, names that are not blob ids) counts as none.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTreeRecord, treeRecordPath, writeTreeRecord } from '../../src-main/cache/tree-record';
import type { TreeFile } from '../../src-main/hub/tree';
import { runHfPython } from '../helpers/hf-python';
import { tmpDir } from '../helpers/tmp';

const COMMIT = 'c'.repeat(40);
const SHA = 'a'.repeat(64);
const XET = 'e'.repeat(64);
const FILES: TreeFile[] = [
  { path: 'model.gguf', size: 1000, oid: '1'.repeat(40), lfs: { oid: SHA, size: 1000 }, xetHash: XET },
  { path: 'config.json', size: 20, oid: '2'.repeat(40), lfs: null, xetHash: null },
  { path: 'sub/ünï.txt', size: 0, oid: '3'.repeat(40), lfs: null, xetHash: null },
];

const READ_PY = `import json,sys
from huggingface_hub._tree_cache import read_tree_cache
e = read_tree_cache(sys.argv[1], sys.argv[2])
print(json.dumps(None if e is None else {k: v.to_json() for k, v in e.items()}))`;

const WRITE_PY = `import sys
from huggingface_hub._tree_cache import write_tree_cache, TreeCacheEntry
write_tree_cache(sys.argv[1], sys.argv[2], {
  "w.safetensors": TreeCacheEntry(size=5, blob_id="4"*40, lfs_sha256="b"*64, lfs_size=5, xet_hash="f"*64),
  "README.md": TreeCacheEntry(size=3, blob_id="5"*40),
})`;

describe('the tree record', () => {
  it('written by Hubcap is read by huggingface_hub 2.0 entry for entry', async () => {
    const repo = tmpDir();
    writeTreeRecord(repo, COMMIT, FILES);
    const r = await runHfPython(['-c', READ_PY, repo, COMMIT]);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({
      'config.json': { size: 20, blob_id: '2'.repeat(40) },
      'model.gguf': { size: 1000, blob_id: '1'.repeat(40), lfs_sha256: SHA, lfs_size: 1000, xet_hash: XET },
      'sub/ünï.txt': { size: 0, blob_id: '3'.repeat(40) },
    });
    expect(readTreeRecord(repo, COMMIT)).toEqual(
      new Map([
        ['config.json', { size: 20, etag: '2'.repeat(40), lfs: false }],
        ['model.gguf', { size: 1000, etag: SHA, lfs: true, xetHash: XET }],
        ['sub/ünï.txt', { size: 0, etag: '3'.repeat(40), lfs: false }],
      ]),
    );
  });

  it('written by huggingface_hub 2.0 is read by Hubcap, the LFS sha256 as the blob name', async () => {
    const repo = tmpDir();
    const r = await runHfPython(['-c', WRITE_PY, repo, COMMIT]);
    expect(r.stderr).toBe('');
    expect(readTreeRecord(repo, COMMIT)).toEqual(
      new Map([
        ['README.md', { size: 3, etag: '5'.repeat(40), lfs: false }],
        ['w.safetensors', { size: 5, etag: 'b'.repeat(64), lfs: true, xetHash: 'f'.repeat(64) }],
      ]),
    );
  });

  it('is none when it cannot be trusted, and never written under a name that is not a commit', () => {
    const repo = tmpDir();
    const file = treeRecordPath(repo, COMMIT);
    expect(readTreeRecord(repo, COMMIT)).toBeNull();
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const entry = { size: 1, blob_id: '1'.repeat(40) };
    for (const bad of [
      'not json',
      { format_version: 2, files: { a: entry } },
      { format_version: 1 },
      { format_version: 1, files: { a: { ...entry, size: -1 } } },
      { format_version: 1, files: { a: { ...entry, size: 1.5 } } },
      { format_version: 1, files: { a: { ...entry, blob_id: '../../x' } } },
      { format_version: 1, files: { a: null } },
    ]) {
      fs.writeFileSync(file, typeof bad === 'string' ? bad : JSON.stringify(bad));
      expect(readTreeRecord(repo, COMMIT), JSON.stringify(bad)).toBeNull();
    }
    // A bad Xet hash is dropped, the entry kept.
    fs.writeFileSync(file, JSON.stringify({ format_version: 1, files: { a: { ...entry, xet_hash: 'nope' } } }));
    expect(readTreeRecord(repo, COMMIT)?.get('a')).toEqual({ size: 1, etag: '1'.repeat(40), lfs: false });
    writeTreeRecord(repo, '../escape', FILES);
    expect(readTreeRecord(repo, '../escape')).toBeNull();
    expect(fs.readdirSync(path.dirname(file))).toEqual([path.basename(file)]);
  });
});
