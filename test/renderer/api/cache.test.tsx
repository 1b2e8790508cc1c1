// @vitest-environment happy-dom
/** The cache hooks: a finished download makes the scan stale, a repair's jobs join the download list. */
import { describe, expect, it } from 'vitest';
import { act, renderHook, waitFor } from '@testing-library/react';
import { cacheScanKey, useCacheFreshness, useRepairRepo } from '../../../src-renderer/api/cache';
import { downloadsKey } from '../../../src-renderer/api/downloads';
import type { DownloadJob } from '../../../src-main/contract/downloads';
import { standIn } from '../harness';
import { job, scan } from '../fixtures';

describe('cache hooks', () => {
  it('marks the scan stale when a download finishes, not on its progress', async () => {
    const core = standIn({});
    core.client.setQueryData(cacheScanKey, scan());
    renderHook(() => useCacheFreshness(), { wrapper: core.wrapper });
    const stale = () => core.client.getQueryState(cacheScanKey)?.isInvalidated;
    act(() => core.emit('downloads.changed', job({ state: 'downloading' })));
    expect(stale()).toBe(false);
    act(() => core.emit('downloads.changed', job({ state: 'done' })));
    await waitFor(() => expect(stale()).toBe(true));
  });

  it('puts the jobs a repair started into the download list', async () => {
    const existing = job({ state: 'done' });
    const repairs = [job({ state: 'queued' }), job({ state: 'queued' })];
    const core = standIn({ 'cache.repair': () => repairs });
    core.client.setQueryData<DownloadJob[]>(downloadsKey, [existing]);
    const { result } = renderHook(() => useRepairRepo('model:acme/tiny'), { wrapper: core.wrapper });
    await act(() => result.current.mutateAsync());
    expect(core.calls).toEqual([{ name: 'cache.repair', input: { repo: 'model:acme/tiny' } }]);
    expect(core.client.getQueryData<DownloadJob[]>(downloadsKey)?.map((j) => j.id)).toEqual([existing.id, ...repairs.map((j) => j.id)]);
  });
});
