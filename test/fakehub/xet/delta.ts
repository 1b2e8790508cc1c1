/**
 * New revisions of a repo on the fake Hub for delta updates (#26.3): a commit pushed after start
 * that changes a file by a region (bytes replaced in the middle, a GGUF header edited). The CAS
 * builds a pushed file's xorbs on first mention through XorbStore.add, which cuts it with the
 * content-defined chunker and references every chunk it already stores instead of storing it again
 * (xorbs.ts), as the Hub's upload deduplicates against existing xorbs: an edited file becomes runs
 * of the old xorbs around a few new chunks in a new xorb.
 */
import { noiseContent } from './fixtures';
import type { Content } from '../content';
import { buildRepo, commitSha, type FakeCommit, type FakeRepo } from '../model';

/** Contents one after another, read lazily. */
export function concatContent(parts: Content[]): Content {
  const starts: number[] = [];
  let size = 0;
  for (const p of parts) {
    starts.push(size);
    size += p.size;
  }
  return {
    size,
    read(start, end) {
      const out: Buffer[] = [];
      parts.forEach((p, i) => {
        const at = starts[i] as number;
        const from = Math.max(start, at);
        const to = Math.min(end, at + p.size);
        if (to > from) out.push(p.read(from - at, to - at));
      });
      return Buffer.concat(out);
    },
  };
}

/** A slice [start, end) of a content. */
export function sliceContent(c: Content, start: number, end: number): Content {
  return { size: end - start, read: (a, b) => c.read(start + a, start + b) };
}

/** `base` with `length` bytes at `at` replaced by other bytes (of the same length). */
export function regionReplaced(base: Content, at: number, length: number, seed = 'replaced'): Content {
  return concatContent([sliceContent(base, 0, at), noiseContent(seed, length), sliceContent(base, at + length, base.size)]);
}

/**
 * A GGUF-shaped file of about `size` bytes: a v3 header with a few metadata keys, the chat template
 * among them, then tensor-like bytes (noise, as quantized weights are). Editing the template
 * changes the header's length, so everything after it moves: content-defined chunks find it again.
 */
export function ggufWithTemplate(size: number, template: string, seed = 'gguf-weights'): Content {
  const str = (s: string) => {
    const b = Buffer.from(s, 'utf8');
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(b.length));
    return Buffer.concat([len, b]);
  };
  const u32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n);
    return b;
  };
  const u64 = (n: number) => {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(n));
    return b;
  };
  const kv = [
    Buffer.concat([str('general.architecture'), u32(8), str('llama')]),
    Buffer.concat([str('general.name'), u32(8), str('Delta Llama')]),
    Buffer.concat([str('tokenizer.chat_template'), u32(8), str(template)]),
  ];
  const header = Buffer.concat([Buffer.from('GGUF'), u32(3), u64(0), u64(kv.length), ...kv]);
  const body = noiseContent(seed, Math.max(0, size - header.length));
  return concatContent([{ size: header.length, read: (a, b) => header.subarray(a, b) }, body]);
}

/** Pushes a commit on `main` that changes (or adds) `files`; the Xet side builds their xorbs on first mention. */
export function pushRevision(repo: FakeRepo, files: Record<string, Content>, title = 'Update'): FakeCommit {
  const prev = repo.commits.at(-1);
  if (!prev) throw new Error(`repo ${repo.id} has no commit to build on`);
  const sha = commitSha(repo.id, repo.commits.length);
  const date = new Date(Date.parse(prev.date) + 86_400_000).toISOString();
  const built = buildRepo({ id: repo.id, type: repo.type, commits: [{ files }] }).commits[0] as FakeCommit;
  const merged = new Map(prev.files);
  for (const f of built.files.values()) merged.set(f.path, { ...f, lastCommit: { id: sha, title, date } });
  const commit: FakeCommit = { sha, title, date, files: merged };
  repo.commits.push(commit);
  repo.refs.set('main', sha);
  repo.lastModified = date;
  return commit;
}
