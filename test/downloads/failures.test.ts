/** How downloads fail, in words: disk errors with sizes and places, the give-up sentence per cause, and a cancellable wait. */
import { describe, expect, it } from 'vitest';
import { abortableSleep, cancelledError, diskError, gaveUp } from '../../src-main/downloads/failures';
import { HubError } from '../../src-main/hub/errors';
import { HubHttp } from '../../src-main/hub/http';
import { tmpDir } from '../helpers/tmp';

const errno = (code: string) => Object.assign(new Error(code), { code });
const hub = new HubHttp({ endpoint: 'https://hub.example', token: () => null, offline: () => false });

describe('download failures', () => {
  it('says how much space a full disk needs and how much is free, and keeps the partial', async () => {
    const dir = tmpDir();
    const e = await diskError(errno('ENOSPC'), dir, 5_000_000, 'model.gguf');
    expect(e?.code).toBe('DISK_FULL');
    expect(e?.message).toMatch(new RegExp(`The disk holding ${dir} is full: model.gguf needs 5\\.00 MB more and .+ are free\\. The partial download is kept`));
  });

  it('names refusals and I/O errors, and leaves other errors to the caller', async () => {
    expect((await diskError(errno('EROFS'), '/x', 0, 'f'))?.code).toBe('INVALID_PATH');
    expect((await diskError(errno('EIO'), '/x', 0, 'f'))?.code).toBe('DISK_ERROR');
    expect(await diskError(errno('ECONNRESET'), '/x', 0, 'f')).toBeNull();
    expect(cancelledError().code).toBe('CANCELLED');
  });

  it('gives up with what was tried, where, and the one next step', () => {
    const e = gaveUp(new HubError('RATE_LIMITED', 'The download host is rate-limiting downloads (HTTP 429).'), 9, 'a.gguf', 'cdn.example', hub);
    expect(e.message).toBe(
      'a.gguf could not be downloaded from the download host (cdn.example) after 9 attempts (last: the download host is rate-limiting downloads (HTTP 429)). Wait a few minutes, then press Retry.',
    );
    expect(gaveUp(new HubError('NETWORK', 'Could not reach x.'), 2, 'a', 'hub.example', hub).message).toMatch(
      /from the Hub \(hub\.example\).*the partial download is kept/,
    );
  });

  it('waits, unless cancelled', async () => {
    await abortableSleep(1, new AbortController().signal);
    const c = new AbortController();
    const waiting = abortableSleep(60_000, c.signal);
    c.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
  });
});
