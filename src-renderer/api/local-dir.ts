/** Downloading into a plain folder ("Download to a folder…"): one request, answered once every file is there. */
import { useEffect, useState } from 'react';
import { useMutation } from '@tanstack/react-query';
import type { LocalDirInput, LocalDirProgress } from '../../src-main/contract/local-dir';
import { useApi } from './context';

export function useDownloadToFolder() {
  const api = useApi();
  return useMutation({ mutationFn: (input: LocalDirInput) => api.call('localDir.download', input) });
}

/** Stops the folder download into `dir`: it ends CANCELLED, its temp files kept for the next run to resume. */
export function useStopFolderDownload() {
  const api = useApi();
  return useMutation({ mutationFn: (dir: string) => api.call('localDir.cancel', { dir }) });
}

/** Where the folder download to `dir` stands, while `active`. */
export function useLocalDirProgress(dir: string, active: boolean): LocalDirProgress | null {
  const api = useApi();
  const [progress, setProgress] = useState<LocalDirProgress | null>(null);
  useEffect(() => (active ? api.on('localDir.progress', (p) => p.dir === dir && setProgress(p)) : undefined), [api, active, dir]);
  return active ? progress : null;
}
