/**
 * Publishing new revisions over Xet sends only their new chunks (#26.5), counted on the fake CAS's
 * log: v1 of a GGUF published by Hubcap, then v2 with its chat template edited (the header: the first
 * chunk changes and everything after it moves, which @huggingface/hub alone re-sends whole), then v3
 * with 256 KiB replaced in the middle. Each later revision's xorbs are under 5 % of the file, and the
 * Hub holds exactly the bytes published.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Content } from '../fakehub/content';
import { TOKENS } from '../fakehub/fixtures';
import type { FakeHub } from '../fakehub/server';
import { ggufWithTemplate, regionReplaced } from '../fakehub/xet/delta';
import { download, fakeHub, hubHttp, manager } from '../helpers/hub';
import { tmpDir } from '../helpers/tmp';
import { publisher, sha256 } from './publisher';

const BOB_WRITE = Object.keys(TOKENS)[1] as string;
const SIZE = 12 << 20;
const TEMPLATE = "{% for m in messages %}<|{{ m['role'] }}|>{{ m['content'] }}{% endfor %}";

const bytesOf = (c: Content) => Buffer.from(c.read(0, c.size));

function writeModel(bytes: Buffer): string {
  const dir = path.join(tmpDir(), 'model');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'model.gguf'), bytes);
  return dir;
}

/** Publishes `bytes` as model.gguf on bob/delta; the xorb bytes the CAS took for it. */
async function publish(hub: FakeHub, bytes: Buffer): Promise<{ sent: number; xorbs: number; dedupHits: number; commit: string }> {
  const up = hub.xet?.uploads;
  if (!up) throw new Error('no Xet side');
  const before = up.received();
  const hitsBefore = up.log.filter((r) => r.kind === 'dedup' && r.status === 200).length;
  const p = publisher(hub, BOB_WRITE);
  const dir = writeModel(bytes);
  const plan = await p.plan([dir], { repo: 'bob/delta' });
  const job = await p.start([dir], { repo: 'bob/delta' }, plan.parentCommit ? { parentCommit: plan.parentCommit } : {});
  const done = await p.until(job.id, (j) => ['done', 'failed', 'cancelled'].includes(j.state), 240_000);
  expect(done.error).toBeNull();
  expect(done.via).toBe('xet');
  const after = up.received();
  const head = hub.repos.get('model:bob/delta')?.commits.at(-1);
  expect(head?.files.get('model.gguf')?.sha256).toBe(sha256(path.join(dir, 'model.gguf')));
  expect(done.xetBytesSent).toBe(after.bytes - before.bytes);
  return {
    sent: after.bytes - before.bytes,
    xorbs: after.xorbs - before.xorbs,
    dedupHits: up.log.filter((r) => r.kind === 'dedup' && r.status === 200).length - hitsBefore,
    commit: done.commit?.oid as string,
  };
}

describe('publishing new revisions over Xet', () => {
  it('a header edit and a 256 KiB region each send under 5 % of the file', { timeout: 600_000 }, async () => {
    const hub = await fakeHub({ storageHost: '127.0.0.2', xet: {} });
    const v1 = ggufWithTemplate(SIZE, TEMPLATE);
    const first = await publish(hub, bytesOf(v1));
    expect(first.sent).toBeGreaterThan(SIZE * 0.9);

    // The chat template edited: a longer header, so the first chunk is new and every byte after it moves.
    const v2 = ggufWithTemplate(SIZE, `${TEMPLATE}{% if add_generation_prompt %}<|assistant|>{% endif %}`);
    const second = await publish(hub, bytesOf(v2));
    expect(second.dedupHits).toBeGreaterThan(0);
    expect(second.sent).toBeGreaterThan(0);
    expect(second.sent).toBeLessThan(SIZE * 0.05);

    // 256 KiB replaced in the middle of v2.
    const v3 = bytesOf(regionReplaced(v2, 5 << 20, 256 << 10, 'publish-region'));
    const third = await publish(hub, v3);
    expect(third.sent).toBeGreaterThan(256 << 10);
    expect(third.sent).toBeLessThan(SIZE * 0.05);

    // What the Hub reconstructs from old and new xorbs is v3, byte for byte.
    const { m, cache } = manager(hubHttp(hub, { token: BOB_WRITE }));
    await download(m, { repo: 'bob/delta', files: ['model.gguf'] });
    const got = fs.readFileSync(path.join(cache, 'models--bob--delta', 'snapshots', third.commit, 'model.gguf'));
    expect(got.equals(v3)).toBe(true);
  });
});
