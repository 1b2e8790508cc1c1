// @vitest-environment happy-dom
/** Drops go to the Library, unless the page on screen takes paths (Publish, on the desktop); under serve a drop is an upload. */
import { describe, expect, it, vi } from 'vitest';
import { act, render, renderHook, waitFor } from '@testing-library/react';
import { DropZone } from '../../../src-renderer/components/DropZone';
import { useDropTarget } from '../../../src-renderer/api/drop-target';
import { standIn } from '../harness';

function drop(files: File[]): void {
  const event = new Event('drop', { bubbles: true, cancelable: true }) as Event & { dataTransfer: unknown };
  Object.defineProperty(event, 'dataTransfer', { value: { types: ['Files'], files } });
  window.dispatchEvent(event);
}

describe('DropZone', () => {
  it('adds dropped files to the Library by path on the desktop', async () => {
    const core = standIn({ 'library.add': () => ({ added: [], skipped: [] }) }, { pathForFile: (f) => `/home/me/${f.name}` });
    render(<DropZone>page</DropZone>, { wrapper: core.wrapper });
    act(() => drop([new File(['x'], 'a.gguf')]));
    await waitFor(() => expect(core.calls).toEqual([{ name: 'library.add', input: { paths: ['/home/me/a.gguf'] } }]));
  });

  it('hands the paths to the page that takes them (Publish), and not to the Library', async () => {
    const core = standIn({ 'library.add': () => ({ added: [], skipped: [] }) }, { pathForFile: (f) => `/home/me/${f.name}` });
    const take = vi.fn();
    render(<DropZone>page</DropZone>, { wrapper: core.wrapper });
    const target = renderHook(() => useDropTarget('Drop to publish', take), { wrapper: core.wrapper });
    act(() => drop([new File(['x'], 'lora'), new File(['y'], 'b.gguf')]));
    expect(take).toHaveBeenCalledWith(['/home/me/lora', '/home/me/b.gguf']);
    expect(core.calls).toEqual([]);
    // Once the page is gone, drops go to the Library again.
    target.unmount();
    act(() => drop([new File(['x'], 'c.gguf')]));
    await waitFor(() => expect(core.calls.map((c) => c.name)).toEqual(['library.add']));
  });
});
