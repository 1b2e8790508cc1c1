/** Downloading into a plain folder ("Download to a folder…"): one request, answered once every file is there. */
import { useMutation } from '@tanstack/react-query';
import type { LocalDirInput } from '../../src-main/contract/local-dir';
import { useApi } from './context';

export function useDownloadToFolder() {
  const api = useApi();
  return useMutation({ mutationFn: (input: LocalDirInput) => api.call('localDir.download', input) });
}
