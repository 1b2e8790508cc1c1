import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fakeHub, hubHttp } from '../helpers/hub';
import { ggufParts, remoteGgufHeaders } from '../../src-main/inference/remote-header';
import { cachedLlamaModel, HUGE_70B } from '../fixtures/llama-model';
import { TOKENS } from '../fakehub/fixtures';

const ALICE = Object.keys(TOKENS)[0] as string;

describe('remote GGUF headers for fit estimates', () => {
  it('reads only the header over ranges, writes it as a header-only file, and keeps the token off the CDN', async () => {
    const hub = await fakeHub();
    const header = await remoteGgufHeaders(hubHttp(hub, { token: ALICE }), 'hubcap-test/tiny-llama-GGUF', 'main', 'huge-llama-F16.gguf');
    try {
      expect(fs.readFileSync(header.path)).toEqual(fs.readFileSync(cachedLlamaModel('huge', HUGE_70B)));
      const ranged = hub.log.filter((r) => r.method === 'GET' && r.url.includes('huge-llama-F16.gguf'));
      expect(ranged.length).toBeGreaterThan(0);
      expect(ranged.every((r) => typeof r.headers.range === 'string')).toBe(true);
      const cdn = hub.log.filter((r) => r.origin === 'cdn');
      expect(cdn.length).toBeGreaterThan(0);
      expect(cdn.some((r) => r.headers.authorization)).toBe(false);
    } finally {
      header.dispose();
    }
    expect(fs.existsSync(header.path)).toBe(false);
  });

  it('refuses a file that is not a GGUF with a specific error and leaves no temp folder', async () => {
    const hub = await fakeHub();
    await expect(remoteGgufHeaders(hubHttp(hub), 'acme/split-llm', 'main', 'split-llm-Q8_0.gguf')).rejects.toMatchObject({
      code: 'INTEGRITY',
      message: expect.stringMatching(/not a readable GGUF/),
    });
  });

  it('names every part of a split GGUF', () => {
    expect(ggufParts('m-Q4-00001-of-00003.gguf')).toEqual(['m-Q4-00001-of-00003.gguf', 'm-Q4-00002-of-00003.gguf', 'm-Q4-00003-of-00003.gguf']);
    expect(ggufParts('single.gguf')).toEqual(['single.gguf']);
  });
});
