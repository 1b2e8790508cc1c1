/** Inference in the renderer: the host's status (kept live by `inference.changed`), hardware, fit, load and unload. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { LoadSettings } from '../../src-main/contract/inference';
import { useApi, useApiQuery, useEventIntoQuery } from './context';

export const inferenceStatusKey = ['inference.status', {}] as const;
const hardwareKey = ['inference.hardware', {}] as const;

/** The loaded model, loading progress and problems. */
export function useInferenceStatus() {
  useEventIntoQuery('inference.changed', 'inference.status');
  return useApiQuery('inference.status', {});
}

/** What node-llama-cpp sees; asked once per session unless refreshed (probing is slow). */
export function useHardware() {
  return useApiQuery('inference.hardware', {}, { staleTime: Infinity, retry: false });
}

export function useRefreshHardware() {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({ mutationFn: () => api.call('inference.hardware', { refresh: true }), onSuccess: (v) => client.setQueryData(hardwareKey, v) });
}

/** Whether a Library model fits with these settings; no key, no question. */
export function useModelFit(key: string, settings: Partial<LoadSettings>) {
  return useApiQuery('inference.fit', { key, settings }, { enabled: Boolean(key), staleTime: 30_000, retry: false });
}

export function useLoadModel() {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (v: { key: string; settings: Partial<LoadSettings>; force?: boolean }) =>
      api.call('inference.load', { key: v.key, settings: v.settings, force: v.force ?? false }),
    onSuccess: (status) => client.setQueryData(inferenceStatusKey, status),
  });
}

export function useUnloadModel() {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({ mutationFn: () => api.call('inference.unload', {}), onSuccess: (status) => client.setQueryData(inferenceStatusKey, status) });
}
