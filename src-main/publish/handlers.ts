/** The publish slice of the contract: access, plans, jobs, verification. */
import type { HandlerSlice, RequestsOf } from '../contract/handlers';
import type { PublishService } from './service';

export function publishHandlers(publish: PublishService): HandlerSlice<RequestsOf<'publish'>> {
  return {
    'publish.access': () => publish.access(),
    'publish.repos': ({ namespace, repoType }) => publish.repos(namespace, repoType),
    'publish.plan': (input) => publish.plan(input),
    'publish.start': (input) => publish.start(input),
    'publish.cancel': async ({ id }) => publish.cancel(id),
    'publish.verify': ({ id }) => publish.verify(id),
    'publish.list': async () => publish.list(),
  };
}
