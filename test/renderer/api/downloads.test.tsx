// @vitest-environment happy-dom
/** The download list in the renderer: events and answers patch it one way, and the actions send what the user chose. */
import { describe, expect, it } from 'vitest';
import { act, renderHook, waitFor } from '@testing-library/react';
import { dropJob, downloadsKey, upsertJob, useDownloadActions, useDownloads, useStartDownload } from '../../../src-renderer/api/downloads';
import type { DownloadJob } from '../../../src-main/contract/downloads';
import { standIn } from '../harness';
import { job } from '../fixtures';

describe('download list helpers', () => {
  it('replaces a job in place and appends a new one', () => {
    const a = job({ state: 'downloading' });
    const b = job();
    expect(upsertJob([a, b], { ...a, state: 'done' }).map((j) => [j.id, j.state])).toEqual([
      [a.id, 'done'],
      [b.id, 'queued'],
    ]);
    const c = job();
    expect(upsertJob([a], c).map((j) => j.id)).toEqual([a.id, c.id]);
    expect(dropJob([a, b], a.id)).toEqual([b]);
  });
});

describe('useDownloads', () => {
  it('keeps the list live from downloads.changed events', async () => {
    const first = job({ state: 'downloading', bytesDone: 1 });
    const core = standIn({ 'downloads.list': () => [first] });
    const { result } = renderHook(() => useDownloads(), { wrapper: core.wrapper });
    await waitFor(() => expect(result.current.data).toHaveLength(1));
    act(() => core.emit('downloads.changed', { ...first, bytesDone: 5 }));
    await waitFor(() => expect(result.current.data?.[0]?.bytesDone).toBe(5));
    const second = job();
    act(() => core.emit('downloads.changed', second));
    await waitFor(() => expect(result.current.data?.map((j) => j.id)).toEqual([first.id, second.id]));
  });
});

describe('download actions', () => {
  it('puts a started job into the list once, even when its event came first', async () => {
    const started = job();
    const core = standIn({ 'downloads.start': () => started });
    core.client.setQueryData<DownloadJob[]>(downloadsKey, []);
    const { result } = renderHook(() => useStartDownload(), { wrapper: core.wrapper });
    core.emit('downloads.changed', started);
    await act(() => result.current.mutateAsync({ repo: 'acme/tiny', repoType: 'model', revision: 'main' }));
    expect(core.client.getQueryData<DownloadJob[]>(downloadsKey)?.map((j) => j.id)).toEqual([started.id]);
  });

  it('sends keepPartial with a cancel, and drops a removed job from the list', async () => {
    const j = job({ state: 'downloading' });
    const core = standIn({
      'downloads.cancel': (input) => ({ ...j, state: 'cancelled', request: { ...j.request }, keep: input }),
      'downloads.remove': () => ({ removed: true }),
    });
    core.client.setQueryData<DownloadJob[]>(downloadsKey, [j]);
    const { result } = renderHook(() => useDownloadActions(j.id), { wrapper: core.wrapper });
    await act(() => result.current.mutateAsync({ action: 'cancel', keepPartial: true }));
    expect(core.calls.at(-1)).toEqual({ name: 'downloads.cancel', input: { id: j.id, keepPartial: true } });
    expect(core.client.getQueryData<DownloadJob[]>(downloadsKey)?.[0]?.state).toBe('cancelled');
    await act(() => result.current.mutateAsync({ action: 'remove' }));
    expect(core.client.getQueryData<DownloadJob[]>(downloadsKey)).toEqual([]);
  });
});
