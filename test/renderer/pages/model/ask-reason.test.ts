/** When a download is asked about first: too big for the free disk (said first: it would fail), or too big to run here. */
import { describe, expect, it } from 'vitest';
import type { FitEstimate } from '../../../../src-main/contract/inference';
import type { FileGroup } from '../../../../src-main/contract/model';
import { askReason } from '../../../../src-renderer/pages/model/DownloadConfirm';

const group = (size: number): FileGroup => ({ kind: 'gguf', label: 'Q8_0', files: [], size, parts: 1 });
const fit = (verdict: FitEstimate['verdict']) => ({ verdict }) as FitEstimate;

describe('askReason', () => {
  it('asks when the file is larger than the free space where the cache is', () => {
    expect(askReason(group(10), fit('cpu'), { freeBytes: 9, path: '/c' })).toEqual({ kind: 'disk', freeBytes: 9, where: '/c' });
  });
  it('asks when the estimate says too big, with the estimate', () => {
    expect(askReason(group(10), fit('too-big'), { freeBytes: 100, path: '/c' })).toMatchObject({ kind: 'too-big' });
  });
  it('downloads at once when it fits both, or nothing is known', () => {
    expect(askReason(group(10), fit('gpu'), { freeBytes: 100, path: '/c' })).toBeNull();
    expect(askReason(group(10), undefined, { freeBytes: null, path: '/c' })).toBeNull();
    expect(askReason(group(10), undefined, undefined)).toBeNull();
  });
});
