/** The account: tokens as the renderer may see them (masked), kept live by `account.changed`. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { AccountView } from '../../src-main/contract/account';
import { useApi, useApiQuery, useEventIntoQuery } from './context';
import { forgetAccountAnswers } from './session-sync';

export function useAccount() {
  useEventIntoQuery('account.changed', 'account.get');
  return useApiQuery('account.get', {});
}

/**
 * Each account action answers with the new view, which replaces the cached one; what depended on
 * the old token is asked again (the event does the same for other windows).
 */
function useAccountAction<I>(fn: (input: I) => Promise<AccountView>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: (view) => {
      client.setQueryData(['account.get', {}], view);
      forgetAccountAnswers(client);
    },
  });
}

export function useLogin() {
  const api = useApi();
  return useAccountAction((i: { token: string; name?: string }) => api.call('account.login', i));
}

export function useTokenActions(name: string) {
  const api = useApi();
  return {
    use: useAccountAction(() => api.call('account.switch', { name })),
    rename: useAccountAction((to: string) => api.call('account.rename', { from: name, to })),
    logout: useAccountAction(() => api.call('account.logout', { name })),
  };
}

export function useTokenFileActions() {
  const api = useApi();
  return {
    importFile: useAccountAction(() => api.call('account.importTokenFile', {})),
    deleteFile: useAccountAction(() => api.call('account.deleteTokenFile', {})),
  };
}
