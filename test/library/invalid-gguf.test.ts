/** A cached file named .gguf that is not one: marked in the Library, refused by inference in words, no host started. */
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { dispatch } from '../../src-main/rpc/dispatch';
import type { LibraryItem } from '../../src-main/contract/library';
import { libraryHandlers } from '../../src-main/library/handlers';
import { handlerTable, inferenceAt, libraryAt, place, settingsAt } from '../helpers/fakes';
import { testModel } from '../helpers/inference';
import { A, writePythonRevision } from '../helpers/python-cache';
import { tmpDir } from '../helpers/tmp';

let close: (() => void) | null = null;
afterEach(() => {
  close?.();
  close = null;
});

describe('a cached .gguf that is not a GGUF', () => {
  it('is listed with what is wrong with it, and refused by inference before any process starts', async () => {
    const cache = tmpDir();
    writePythonRevision(
      cache,
      'models--acme--broken',
      A,
      [
        { path: 'broken-Q4_K_M.gguf', data: Buffer.from('\u0000\u0000\u0000\u0000 not a model at all'), lfs: true },
        { path: 'good-F32.gguf', data: fs.readFileSync(testModel()), lfs: true },
      ],
      { refs: ['main'] },
    );
    // The Library and the inference service over it, no Core: the refusal comes before any host is asked for.
    const p = place({ HF_HUB_CACHE: cache, HF_HUB_OFFLINE: '1' });
    const settings = settingsAt(p);
    const { library } = libraryAt(p, settings);
    const inference = inferenceAt(p, settings, library);
    close = () => inference.service.close();
    const core = { handlers: handlerTable(libraryHandlers(library, {}), inference.handlers), inference: inference.service };
    const listed = await dispatch(core.handlers, 'library.list', {});
    if (!listed.ok) throw new Error(listed.error.message);
    const items = listed.value as LibraryItem[];
    const broken = items.find((i) => i.name === 'broken-Q4_K_M.gguf');
    const good = items.find((i) => i.name === 'good-F32.gguf');
    expect(broken?.problem).toMatch(/GGUF/);
    // In words: no raw bytes of the file in the message.
    expect([...(broken?.problem ?? '')].filter((c) => c.charCodeAt(0) < 32)).toEqual([]);
    expect(good?.problem).toBeNull();
    expect(good?.summary).not.toBeNull();

    const load = await dispatch(core.handlers, 'inference.load', { key: broken?.key });
    expect(load.ok).toBe(false);
    if (load.ok) return;
    expect(load.error.code).toBe('LOAD_FAILED');
    expect(load.error.message).toMatch(/^broken-Q4_K_M\.gguf cannot be loaded: .*delete it and download it again\.$/);
    expect(core.inference.hostPid).toBeUndefined();
  });
});
