/** Settings, kept live by `settings.changed`; an update's answer lands in the cache at once. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { SettingsPatch, SettingsView } from '../../src-main/contract/settings';
import { useApi, useApiQuery, useEventIntoQuery } from './context';

export const settingsKey = ['settings.get', {}] as const;

export function useSettings() {
  useEventIntoQuery('settings.changed', 'settings.get');
  return useApiQuery('settings.get', {});
}

export function useUpdateSettings() {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (patch: SettingsPatch) => api.call('settings.update', patch),
    onSuccess: (view: SettingsView) => client.setQueryData(settingsKey, view),
  });
}
