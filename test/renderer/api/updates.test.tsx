// @vitest-environment happy-dom
/** The updates hooks: the core's event replaces the view; one repo's answer (pin, update) patches only its entry. */
import { describe, expect, it } from 'vitest';
import { act, renderHook, waitFor } from '@testing-library/react';
import type { RepoUpdates, UpdatesView } from '../../../src-main/contract/updates';
import { usePinRepo, useUpdates } from '../../../src-renderer/api/updates';
import { standIn } from '../harness';

const C1 = 'a'.repeat(40);
const C2 = 'b'.repeat(40);

function repo(id: string, over: Partial<RepoUpdates> = {}): RepoUpdates {
  return {
    repo: `model:${id}`,
    id,
    pinned: null,
    branches: [{ branch: 'main', cachedCommit: C1, headCommit: C2, state: 'available', message: '1 new commit.' }],
    notFollowed: [],
    checkedAt: '2026-12-04T10:00:00.000Z',
    previous: [],
    running: null,
    lastError: null,
    ...over,
  };
}

function view(repos: RepoUpdates[], over: Partial<UpdatesView> = {}): UpdatesView {
  return { repos, found: [], lastCheckedAt: '2026-12-04T10:00:00.000Z', checking: false, offline: false, daily: false, keepPrevious: true, ...over };
}

describe('updates hooks', () => {
  it('takes the view from the core, then from its updates.changed events', async () => {
    const core = standIn({ 'updates.status': () => view([repo('acme/a')]) });
    const { result } = renderHook(() => useUpdates(), { wrapper: core.wrapper });
    await waitFor(() => expect(result.current.data?.repos).toHaveLength(1));
    act(() => core.emit('updates.changed', view([repo('acme/a'), repo('acme/b')], { checking: true })));
    await waitFor(() => expect(result.current.data?.checking).toBe(true));
    expect(result.current.data?.repos.map((r) => r.id)).toEqual(['acme/a', 'acme/b']);
  });

  it("a pin's answer patches only that repo", async () => {
    const core = standIn({ 'updates.status': () => view([repo('acme/a'), repo('acme/b')]), 'updates.pin': () => repo('acme/b', { pinned: C1 }) });
    const { result } = renderHook(() => ({ updates: useUpdates(), pin: usePinRepo() }), { wrapper: core.wrapper });
    await waitFor(() => expect(result.current.updates.data?.repos).toHaveLength(2));
    await act(() => result.current.pin.mutateAsync({ repo: 'model:acme/b', pinned: true }));
    expect(core.calls.at(-1)).toEqual({ name: 'updates.pin', input: { repo: 'model:acme/b', pinned: true } });
    await waitFor(() => expect(result.current.updates.data?.repos.map((r) => r.pinned)).toEqual([null, C1]));
  });
});
