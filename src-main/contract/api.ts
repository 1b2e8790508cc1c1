/**
 * The one API contract between the renderer and the core: every domain's requests and events,
 * merged into one typed table. The domain files (app, settings, hub, gallery, downloads, cache,
 * library, account, inference, chat, apps, publish, localapi, export, localDir) own their schemas and shapes; nothing else belongs here.
 * Both transports (Electron IPC and the `hubcap serve` WebSocket) carry exactly this.
 */
import type { z } from 'zod';
import { accountEvents, accountRequests } from './account';
import { appRequests } from './app';
import { appsEvents, appsRequests } from './apps';
import { cacheRequests } from './cache';
import { chatEvents, chatRequests } from './chat';
import { downloadEvents, downloadRequests } from './downloads';
import { exportRequests } from './export';
import { localDirEvents, localDirRequests } from './local-dir';
import { galleryRequests } from './gallery';
import { hubEvents, hubRequests } from './hub';
import { inferenceEvents, inferenceRequests } from './inference';
import { libraryEvents, libraryRequests } from './library';
import { localApiEvents, localApiRequests } from './localapi';
import { mirrorEvents, mirrorRequests } from './mirror';
import { publishEvents, publishRequests } from './publish';
import { settingsEvents, settingsRequests } from './settings';
import { updatesEvents, updatesRequests } from './updates';

export const requests = {
  ...appRequests,
  ...settingsRequests,
  ...hubRequests,
  ...galleryRequests,
  ...downloadRequests,
  ...cacheRequests,
  ...libraryRequests,
  ...accountRequests,
  ...inferenceRequests,
  ...chatRequests,
  ...appsRequests,
  ...publishRequests,
  ...localApiRequests,
  ...mirrorRequests,
  ...exportRequests,
  ...localDirRequests,
  ...updatesRequests,
} as const;

export const events = {
  ...settingsEvents,
  ...hubEvents,
  ...downloadEvents,
  ...libraryEvents,
  ...accountEvents,
  ...inferenceEvents,
  ...chatEvents,
  ...appsEvents,
  ...publishEvents,
  ...localApiEvents,
  ...mirrorEvents,
  ...updatesEvents,
  ...localDirEvents,
} as const;

export type Requests = typeof requests;
export type RequestName = keyof Requests;
export type EventName = keyof typeof events;
export type RequestInput<K extends RequestName> = z.input<Requests[K]['input']>;
export type ParsedInput<K extends RequestName> = z.output<Requests[K]['input']>;
export type RequestOutput<K extends RequestName> = NonNullable<Requests[K]['output']>;
export type EventPayload<K extends EventName> = NonNullable<(typeof events)[K]['payload']>;

export function isRequestName(name: string): name is RequestName {
  return Object.hasOwn(requests, name);
}
