/** The Library in the renderer: the list, adding (by path or by upload), relocating and removing. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useState } from 'react';
import type { AddResult } from '../../src-main/contract/library';
import { UPLOAD_PATH } from '../../src-main/contract/wire';
import { useApi, useApiQuery } from './context';
import { sessionHeaders } from './session';

const libraryKey = ['library.list'] as const;

/** Re-asked on each visit: files dropped in elsewhere (another window, the CLI) show up. */
export function useLibrary() {
  return useApiQuery('library.list', {}, { staleTime: 2000, refetchOnMount: true });
}

/** Every change to the Library answers with its part; the list is asked again rather than patched. */
function useLibraryChange<I, O>(fn: (input: I) => Promise<O>) {
  const client = useQueryClient();
  return useMutation({ mutationFn: fn, onSuccess: () => void client.invalidateQueries({ queryKey: libraryKey }) });
}

export function useRemoveLocal(key: string) {
  const api = useApi();
  return useLibraryChange((deleteFiles: boolean) => api.call('library.remove', { key, deleteFiles }));
}

export function useRelocate(key: string) {
  const api = useApi();
  return useLibraryChange((mode: 'copy' | 'move') => api.call('library.relocate', { key, mode }));
}

/** The native "open files" dialog: desktop only. */
export function usePickFiles() {
  const api = useApi();
  return useLibraryChange(() => api.call('library.pickFiles', {}));
}

export interface DropState {
  /** Bytes sent so far / total, while files stream to `hubcap serve`. */
  uploading: { name: string; sent: number; total: number } | null;
  result: AddResult | null;
  error: string | null;
}

function upload(file: File, onProgress: (sent: number) => void): Promise<AddResult> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `${UPLOAD_PATH}?name=${encodeURIComponent(file.name)}`);
    for (const [k, v] of Object.entries(sessionHeaders())) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => onProgress(e.loaded);
    xhr.onload = () => {
      try {
        resolve(JSON.parse(xhr.responseText) as AddResult);
      } catch {
        reject(new Error(`The server answered ${xhr.status}.`));
      }
    };
    xhr.onerror = () => reject(new Error('The upload was interrupted.'));
    xhr.send(file);
  });
}

/**
 * Adds dropped files: by path on the desktop (registered in place), or streamed to the server's
 * managed folder under `hubcap serve` (a browser has no paths).
 */
export function useAddDropped() {
  const api = useApi();
  const client = useQueryClient();
  const [state, setState] = useState<DropState>({ uploading: null, result: null, error: null });
  const add = useCallback(
    async (files: File[]) => {
      setState({ uploading: null, result: null, error: null });
      try {
        let result: AddResult;
        const pathFor = api.transport.pathForFile;
        if (pathFor) {
          result = await api.call('library.add', { paths: files.map((f) => pathFor(f)) });
        } else {
          result = { added: [], skipped: [] };
          for (const f of files) {
            setState((s) => ({ ...s, uploading: { name: f.name, sent: 0, total: f.size } }));
            const r = await upload(f, (sent) => setState((s) => ({ ...s, uploading: { name: f.name, sent, total: f.size } })));
            result.added.push(...r.added);
            result.skipped.push(...r.skipped);
          }
        }
        setState({ uploading: null, result, error: null });
        void client.invalidateQueries({ queryKey: libraryKey });
      } catch (error) {
        setState({ uploading: null, result: null, error: (error as Error).message });
      }
    },
    [api, client],
  );
  const show = useCallback(
    (result: AddResult) => {
      setState({ uploading: null, result, error: null });
      void client.invalidateQueries({ queryKey: libraryKey });
    },
    [client],
  );
  const clear = useCallback(() => setState({ uploading: null, result: null, error: null }), []);
  return { add, show, state, clear };
}

/** The path of a dropped file, where the window knows it (the desktop); null under serve. */
export function usePathForFile(): ((f: File) => string) | null {
  return useApi().transport.pathForFile ?? null;
}

/** Does this window know file paths (the desktop), or must files be uploaded (a browser under serve)? */
export function useHasFilePaths(): boolean {
  return Boolean(useApi().transport.pathForFile);
}

/** Files the OS opened with Hubcap (a file association, a second launch) were added: `listener` shows them. */
export function useFilesOpened(listener: (result: AddResult) => void) {
  const api = useApi();
  useEffect(() => api.on('library.opened', listener), [api, listener]);
}
