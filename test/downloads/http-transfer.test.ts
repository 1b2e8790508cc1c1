/**
 * The classic road on its own (http-transfer.ts with http-single.ts and http-spread.ts): the
 * verified partial is left at its path for the caller, one stream below the parallel threshold and
 * range connections above it, a server that ignores Range sends the file back to one stream, and
 * retries wait as the one download retry policy says.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RETRY_POLICIES, retryDelayMs } from '../../src-main/hub/retry';
import type { RetryInfo } from '../../src-main/downloads/http-attempt';
import { transferHttp } from '../../src-main/downloads/http-transfer';
import { cachePartials } from '../../src-main/downloads/partial-file';
import { blobRequest, fakeHub, hubHttp, requestsTo } from '../helpers/hub';

const REPO = 'acme/tiny-llm';
const FILE = 'tiny-llm-Q4_K_M.gguf';
const noSleep = async () => {};

async function setup(faults: Parameters<Awaited<ReturnType<typeof fakeHub>>['faults']['add']>[0][] = []) {
  const hub = await fakeHub();
  for (const f of faults) hub.faults.add(f);
  const req = await blobRequest(hub, REPO, FILE);
  const blobs = path.join(req.cacheDir, req.repoFolder, 'blobs');
  fs.mkdirSync(blobs, { recursive: true });
  return { hub, req, blobs, source: cachePartials(blobs, req.etag, req.size) };
}

describe('transferHttp', () => {
  it('leaves the verified partial at its path, fetched by one stream below the threshold', async () => {
    const { hub, req, blobs, source } = await setup();
    const r = await transferHttp(hubHttp(hub), req, source, { signal: new AbortController().signal, hashOffThread: false, connections: 8 });
    expect(path.dirname(r.path)).toBe(blobs);
    expect(r.path.endsWith('.incomplete')).toBe(true);
    expect(fs.statSync(r.path).size).toBe(req.size);
    expect(r).toMatchObject({ resumedFrom: 0, bytesFetched: req.size });
    expect(requestsTo(hub, 'cdn', req.etag).map((q) => q.range)).toEqual(['bytes=0-']);
  });

  it('uses range connections above the threshold, and one stream again when the server ignores Range', async () => {
    const { hub, req, source } = await setup();
    // Only the range-connection attempt reports connections (ending at 0).
    const seen: number[] = [];
    const opts = {
      signal: new AbortController().signal,
      hashOffThread: false,
      connections: 4,
      parallelThreshold: 1,
      segmentBytes: 256 << 10,
      onConnections: (n: number) => seen.push(n),
    };
    const r = await transferHttp(hubHttp(hub), req, source, opts);
    expect(fs.statSync(r.path).size).toBe(req.size);
    expect(Math.max(...seen)).toBeGreaterThan(0);
    expect(seen.at(-1)).toBe(0);

    const again = await setup([{ kind: 'ignoreRange', origin: 'cdn', times: Infinity }]);
    seen.length = 0;
    const r2 = await transferHttp(hubHttp(again.hub), again.req, again.source, opts);
    expect(fs.statSync(r2.path).size).toBe(again.req.size);
    expect(r2.bytesFetched).toBeGreaterThanOrEqual(again.req.size);
    // After the 200 answer the file went on as one plain stream: no more connection reports past it.
    expect(seen.at(-1)).toBe(0);
    expect(requestsTo(again.hub, 'cdn', again.req.etag).at(-1)?.range ?? 'bytes=0-').toBe('bytes=0-');
  });

  it('waits between retries as the download retry policy says', async () => {
    const { hub, req, source } = await setup([{ kind: 'status', origin: 'cdn', status: 503, times: 3 }]);
    const retries: RetryInfo[] = [];
    await transferHttp(hubHttp(hub), req, source, {
      signal: new AbortController().signal,
      hashOffThread: false,
      sleep: noSleep,
      onRetry: (i) => retries.push(i),
    });
    const policy = RETRY_POLICIES.download;
    expect(retries.map((r) => r.delayMs)).toEqual([0, 1, 2].map((n) => retryDelayMs(policy, n)));
  });
});
