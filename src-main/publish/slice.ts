/** Publishing: a local checkpoint or LoRA into the user's own Hub repo, in a worker, over Xet or LFS. */
import { defineSlice } from '../base/slice';
import type { EventBus } from '../base/events';
import type { AccountService } from '../account/account';
import type { AppsService } from '../apps/service';
import type { HfEnv } from '../hub/hf-env';
import type { Hub } from '../hub/slice';
import type { Library } from '../library/library';
import { uploadWorkerFactory } from './commit-runner';
import { publishHandlers } from './handlers';
import { PublishService } from './service';

export interface PublishNeeds {
  /** The built upload worker (`publish-worker.js`); without it, the TypeScript source runs through tsx. */
  options: { uploadWorker?: string | undefined; publishStallMs?: number | undefined };
  hf: Pick<HfEnv, 'disableXet'>;
  events: EventBus;
  hub: Pick<Hub, 'http'>;
  account: Pick<AccountService, 'currentToken' | 'view'>;
  library: Pick<Library, 'item'>;
  apps: Pick<AppsService, 'hashes'>;
}

export const publishSlice = defineSlice({
  name: 'publish',
  needs: ['options', 'hf', 'events', 'hub', 'account', 'library', 'apps'],
  create(needs: PublishNeeds) {
    const { options, events, hub, account, library, apps } = needs;
    return new PublishService({
      hub: hub.http,
      token: () => account.currentToken(),
      tokenSource: () => account.view().current?.source ?? null,
      library,
      hashes: apps.hashes,
      worker: uploadWorkerFactory(options.uploadWorker),
      onChange: (job) => events.emit('publish.changed', job),
      // HF_HUB_DISABLE_XET: uploads by LFS, as Python's do.
      disableXet: needs.hf.disableXet,
      ...(options.publishStallMs !== undefined ? { stallMs: options.publishStallMs } : {}),
    });
  },
  handlers: (publish) => publishHandlers(publish),
});
