/** The local-inference slice of the contract: the host, loads and fits, and the chats. */
import type { HandlerSlice, RequestsOf } from '../contract/handlers';
import type { LoadSettings } from '../contract/inference';
import type { HubFit } from './hub-fit';
import type { InferenceService } from './service';

/** Optional fields with `undefined` dropped (zod keeps keys the client sent as undefined). */
function defined<T extends object>(o: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}

function overrides(settings: { [K in keyof LoadSettings]?: LoadSettings[K] | undefined } | undefined): Partial<LoadSettings> | undefined {
  return settings ? defined(settings) : undefined;
}

export function inferenceHandlers(inference: InferenceService, hubFit: HubFit): HandlerSlice<RequestsOf<'inference' | 'chat'> | 'gallery.fit'> {
  return {
    'inference.status': async () => inference.status(),
    'inference.hardware': ({ refresh }) => inference.hardware(refresh === true),
    'inference.fit': ({ key, settings }) => inference.fit(key, overrides(settings)),
    'inference.load': ({ key, settings, force }) => inference.load(key, overrides(settings), force),
    'inference.unload': () => inference.unload(),
    'gallery.fit': ({ repo, revision, path }) => hubFit.fit(repo, revision, path),
    'chat.list': async ({ search }) => inference.list(search),
    'chat.get': async ({ id }) => inference.get(id),
    'chat.create': async ({ systemPrompt }) => inference.create(systemPrompt),
    'chat.update': async ({ id, ...patch }) => inference.update(id, defined(patch)),
    'chat.delete': async ({ id }) => {
      inference.delete(id);
      return { deleted: true };
    },
    'chat.send': async ({ id, text, editFrom }) => inference.send(id, text, editFrom),
    'chat.regenerate': async ({ id }) => inference.regenerate(id),
    'chat.stop': ({ id }) => inference.stop(id),
  };
}
