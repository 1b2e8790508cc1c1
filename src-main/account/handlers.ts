/** The account slice of the contract: tokens go in here and never come back out. */
import type { HandlerSlice, RequestsOf } from '../contract/handlers';
import type { AccountService } from './account';

export function accountHandlers(account: AccountService): HandlerSlice<RequestsOf<'account'>> {
  return {
    'account.get': async () => account.view(),
    'account.login': ({ token, name }) => account.login(token, name),
    'account.switch': async ({ name }) => account.switchTo(name),
    'account.rename': async ({ from, to }) => account.rename(from, to),
    'account.logout': async ({ name }) => account.logout(name),
    'account.importTokenFile': () => account.importTokenFile(),
    'account.deleteTokenFile': async () => account.deleteTokenFile(),
  };
}
