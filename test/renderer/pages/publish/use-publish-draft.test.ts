// @vitest-environment happy-dom
/** The Publish form's state: defaults derived until picked, and every change making the last plan stale. */
import { describe, expect, it } from 'vitest';
import { act, renderHook } from '@testing-library/react';
import { usePublishDraft } from '../../../../src-renderer/pages/publish/use-publish-draft';

describe('usePublishDraft', () => {
  it('derives the owner and the name until they are picked, and follows a later namespace', () => {
    let stale = 0;
    const onChange = () => stale++;
    const { result, rerender } = renderHook((p: { firstNamespace: string }) => usePublishDraft({ itemKey: null, itemName: null, onChange, ...p }), {
      initialProps: { firstNamespace: '' },
    });
    expect(result.current.form).toMatchObject({ item: null, paths: [], namespace: '', name: '', isPrivate: true, revision: 'main' });
    act(() => result.current.update({ paths: ['/home/me/out/My LoRA (v2)'] }));
    rerender({ firstNamespace: 'me' });
    expect(result.current.form).toMatchObject({ namespace: 'me', name: 'My-LoRA-v2' });
    act(() => result.current.update({ name: 'picked', namespace: 'org' }));
    act(() => result.current.update({ paths: ['/elsewhere/other'] }));
    expect(result.current.form).toMatchObject({ namespace: 'org', name: 'picked' });
    expect(stale).toBe(3);
  });

  it('names the Library item first, and keeps a dropped path once', () => {
    let stale = 0;
    const onChange = () => stale++;
    const { result } = renderHook(() => usePublishDraft({ itemKey: 'local:1', itemName: 'tiny-Q4_K_M.gguf', firstNamespace: 'me', onChange }));
    expect(result.current.form).toMatchObject({ item: 'local:1', name: 'tiny-Q4_K_M' });
    const addPaths = result.current.addPaths;
    act(() => addPaths(['/a', '/b']));
    act(() => addPaths(['/b', '/c']));
    expect(result.current.form.paths).toEqual(['/a', '/b', '/c']);
    expect(result.current.addPaths).toBe(addPaths);
    expect(stale).toBe(2);
  });

  it('keeps the commit message and description apart from what makes a plan stale', () => {
    let stale = 0;
    const { result } = renderHook(() => usePublishDraft({ itemKey: null, itemName: null, firstNamespace: 'me', onChange: () => stale++ }));
    expect(result.current.message).toBe('Upload with Hubcap');
    act(() => result.current.setMessage('First tiny model'));
    act(() => result.current.setDescription('Trained on a laptop'));
    expect([result.current.message, result.current.description, stale]).toEqual(['First tiny model', 'Trained on a laptop', 0]);
  });
});
