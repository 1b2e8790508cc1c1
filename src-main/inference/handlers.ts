/** The local-inference slice of the contract: the host, loads and fits (the chats are chat/'s). */
import { definedFields, type HandlerSlice, type RequestsOf } from '../contract/handlers';
import type { LoadSettings } from '../contract/inference';
import type { HubFit } from './hub-fit';
import type { InferenceService } from './service';

function overrides(settings: { [K in keyof LoadSettings]?: LoadSettings[K] | undefined } | undefined): Partial<LoadSettings> | undefined {
  return settings ? definedFields(settings) : undefined;
}

export function inferenceHandlers(inference: InferenceService, hubFit: HubFit): HandlerSlice<RequestsOf<'inference'> | 'gallery.fit'> {
  return {
    'inference.status': async () => inference.status(),
    'inference.hardware': ({ refresh }) => inference.hardware(refresh === true),
    'inference.fit': ({ key, settings }) => inference.fit(key, overrides(settings)),
    'inference.load': ({ key, settings, force }) => inference.load(key, overrides(settings), force),
    'inference.unload': () => inference.unload(),
    'gallery.fit': ({ repo, revision, path }) => hubFit.fit(repo, revision, path),
  };
}
