/**
 * "Use in another app" in the renderer: the plan (asked again whenever the choice changes: it is
 * read-only), placing the files, and the remembered exports the Cache page lists.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { ExportInput } from '../../src-main/contract/export';
import { useApi, useApiQuery } from './context';

export function useExportPlan(input: ExportInput | null) {
  return useApiQuery('export.plan', input ?? { repo: 'model:x/x', to: '/' }, { enabled: input !== null, retry: false, staleTime: 0 });
}

export function useRunExport() {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: ExportInput) => api.call('export.run', input),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ['export.list'] });
      void client.invalidateQueries({ queryKey: ['export.plan'] });
    },
  });
}

/** Where cached models are also used (asked on each visit: the user may have removed files meanwhile). */
export function useExports() {
  return useApiQuery('export.list', {}, { staleTime: 2000, refetchOnMount: true });
}

export function useForgetExport() {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.call('export.forget', { id }),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['export.list'] }),
  });
}
