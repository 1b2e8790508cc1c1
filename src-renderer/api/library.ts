import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useState } from 'react';
import type { AddResult } from '../../src-main/contract/library';
import { UPLOAD_PATH } from '../../src-main/contract/wire';
import { useApi } from './context';
import { sessionHeaders } from './session';

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
        void client.invalidateQueries({ queryKey: ['library.list'] });
      } catch (error) {
        setState({ uploading: null, result: null, error: (error as Error).message });
      }
    },
    [api, client],
  );
  const show = useCallback(
    (result: AddResult) => {
      setState({ uploading: null, result, error: null });
      void client.invalidateQueries({ queryKey: ['library.list'] });
    },
    [client],
  );
  return { add, show, state, clear: () => setState({ uploading: null, result: null, error: null }) };
}
