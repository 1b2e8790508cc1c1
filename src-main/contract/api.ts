/**
 * The one API contract between the renderer and the core.
 * Every request: a name, a zod input schema (validated in the core before any handler runs)
 * and a result type. Every event: a name and a payload type. Both transports (Electron IPC and
 * the `hubcap serve` WebSocket) carry exactly this.
 */
import { z } from 'zod';
import type { CacheFileView, CacheOverview, DeletePlanView, DownloadJob, VerifyView } from './downloads';
import type { AccountView } from './account';
import type { AddResult, LibraryItem } from './library';
import { GALLERY_SORTS, type SearchPage } from './gallery';
import type { ModelDetails } from './model';
import type { Conversation, ConversationSummary, FitEstimate, HardwareView, InferenceStatus, ChatStreamEvent, LoadSettings } from './inference';

// ---------- shared shapes ----------

export const CACHE_DIR_SOURCES = ['setting', 'HF_HUB_CACHE', 'HUGGINGFACE_HUB_CACHE', 'HF_HOME', 'XDG_CACHE_HOME', 'default'] as const;
export type CacheDirSource = (typeof CACHE_DIR_SOURCES)[number];

export const THEMES = ['system', 'light', 'dark'] as const;
export type Theme = (typeof THEMES)[number];

export interface CacheDirView {
  path: string;
  source: CacheDirSource;
  /** Where the cache would be without Hubcap's own setting (env or default). */
  withoutSetting: { path: string; source: CacheDirSource };
  exists: boolean;
}

export interface SettingsView {
  hubCache: CacheDirView;
  dataDir: string;
  settingsFile: string;
  endpoint: { url: string; source: 'HF_ENDPOINT' | 'default' };
  offline: { enabled: boolean; source: 'HF_HUB_OFFLINE' | 'setting' | 'default' };
  theme: Theme;
  downloads: { concurrency: number; connections: number };
  inference: { unloadAfterMinutes: number; loadDefaults: LoadSettings };
  /** Problems found while loading settings (e.g. a corrupt file set aside). */
  warnings: string[];
}

export interface Capabilities {
  /** Can the core open a folder in the user's file manager (desktop only). */
  openInFileManager: boolean;
  /** Can the core open a URL in the system browser (desktop only; in a browser the page opens links itself). */
  openExternal: boolean;
  /** Can the core write the clipboard (desktop; in a browser the page uses navigator.clipboard). */
  clipboard: boolean;
}

export interface AppInfo {
  name: string;
  transport: 'electron' | 'serve';
  platform: string;
  versions: { app: string; electron: string | null; chrome: string | null; node: string; nodeLlamaCpp: string | null };
  capabilities: Capabilities;
}

export type HubReachability = 'online' | 'unreachable' | 'offline-mode' | 'checking';

export interface HubStatus {
  reachability: HubReachability;
  endpoint: string;
  checkedAt: string | null;
  detail: string | null;
  account: { signedIn: false } | { signedIn: true; name: string; role: string };
}

// ---------- input schemas ----------

const Empty = z.object({}).strict();

/** A user-typed folder path: non-empty, no NUL bytes, bounded. Absoluteness is checked in the core. */
const FolderPathInput = z
  .string()
  .trim()
  .min(1, 'Enter a folder path.')
  .max(4096, 'That path is too long.')
  .refine((p) => !p.includes('\0'), 'A path cannot contain a NUL character.');

/** Each load setting's bounds, once: for requests here and for the stored defaults (settings/schema.ts). */
export const LOAD_SETTING_FIELDS = {
  gpuLayers: z.union([z.literal('auto'), z.number().int().min(0).max(1000)]),
  contextSize: z.union([z.literal('auto'), z.number().int().min(128).max(1_048_576)]),
  batchSize: z.number().int().min(1).max(65_536).nullable(),
  threads: z.number().int().min(1).max(256).nullable(),
};

export const LoadSettingsInput = z.object(LOAD_SETTING_FIELDS).strict();

export const SettingsPatch = z
  .object({
    /** null resets to the environment/default location. */
    hubCacheDir: FolderPathInput.nullable().optional(),
    offline: z.boolean().optional(),
    theme: z.enum(THEMES).optional(),
    downloadConcurrency: z.number().int().min(1).max(8).optional(),
    downloadConnections: z.number().int().min(1).max(8).optional(),
    unloadAfterMinutes: z.number().int().min(0).max(1440).optional(),
    loadDefaults: LoadSettingsInput.optional(),
  })
  .strict()
  .refine((p) => Object.keys(p).length > 0, 'Nothing to change.');
export type SettingsPatch = z.infer<typeof SettingsPatch>;

/** Places the core may open in the file manager: named, never a raw path from the renderer. */
export const PLACES = ['hubCache', 'dataDir'] as const;
export type Place = (typeof PLACES)[number];

const RepoKey = z
  .string()
  .min(3)
  .max(300)
  .regex(/^(model|dataset|space):[\w.-]+(\/[\w.-]+)?$/, 'Not a cache repo key.');
const JobId = z.uuid('Not a download id.');
const RepoPathList = z.array(z.string().min(1).max(1024)).max(1000);

export const DownloadStart = z
  .object({
    repo: z.string().trim().min(1, 'Enter a repo id, like org/model.').max(200),
    repoType: z.enum(['model', 'dataset', 'space']).default('model'),
    revision: z.string().trim().min(1).max(255).default('main'),
    /** The commit the page showed for `revision`: downloaded, and written as refs/<revision>. */
    commit: z
      .string()
      .regex(/^[0-9a-f]{40}$/, 'Not a commit id.')
      .optional(),
    files: RepoPathList.optional(),
    patterns: RepoPathList.optional(),
    /** Rehash what is present and fetch again what does not match. */
    force: z.boolean().optional(),
  })
  .strict();

export const DeleteTargetInput = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('repo'), repo: RepoKey }).strict(),
  z.object({ kind: z.literal('revision'), repo: RepoKey, commit: z.string().regex(/^[0-9a-f]{40}$/, 'Not a commit id.') }).strict(),
  z.object({ kind: z.literal('orphans') }).strict(),
  z.object({ kind: z.literal('incomplete') }).strict(),
  // Revisions no ref points at: what `hf cache prune` removes (snapshots being downloaded into are kept).
  z.object({ kind: z.literal('detached') }).strict(),
]);
export type DeleteTargetInput = z.infer<typeof DeleteTargetInput>;
const DeleteTargets = z.object({ targets: z.array(DeleteTargetInput).min(1).max(500) }).strict();

const LibraryKey = z
  .string()
  .min(7)
  .max(2048)
  .regex(/^(local:|cache:)/, 'Not a Library model.');
const ConversationId = z.uuid('Not a conversation id.');
const MessageId = z.uuid('Not a message id.');

export const SamplingInput = z
  .object({
    temperature: z.number().min(0).max(5),
    topP: z.number().min(0).max(1),
    topK: z.number().int().min(0).max(1000),
    minP: z.number().min(0).max(1),
    repeatPenalty: z.number().min(0.5).max(3),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .nullable(),
    maxTokens: z.number().int().min(1).max(131_072),
  })
  .strict();

// ---------- the contract ----------

interface RequestDef<I extends z.ZodType, O> {
  input: I;
  /** Phantom: carries the result type only. */
  output?: O;
}

const request =
  <O>() =>
  <I extends z.ZodType>(input: I): RequestDef<I, O> => ({ input });

const event = <P>(): { payload?: P } => ({});

export const requests = {
  'app.info': request<AppInfo>()(Empty),
  'settings.get': request<SettingsView>()(Empty),
  'settings.update': request<SettingsView>()(SettingsPatch),
  'hub.status': request<HubStatus>()(Empty),
  'hub.checkNow': request<HubStatus>()(Empty),
  'places.open': request<{ opened: true }>()(
    z.union([
      z.object({ place: z.enum(PLACES) }).strict(),
      z.object({ place: z.literal('cacheRepo'), repo: RepoKey }).strict(),
      // A Library item's file, selected in the file manager.
      z
        .object({
          place: z.literal('libraryItem'),
          key: z
            .string()
            .min(7)
            .max(2048)
            .regex(/^(local:|cache:)/, 'Not a Library model.'),
        })
        .strict(),
    ]),
  ),
  'downloads.list': request<DownloadJob[]>()(Empty),
  'downloads.start': request<DownloadJob>()(DownloadStart),
  'downloads.pause': request<DownloadJob>()(z.object({ id: JobId }).strict()),
  'downloads.resume': request<DownloadJob>()(z.object({ id: JobId }).strict()),
  'downloads.retry': request<DownloadJob>()(z.object({ id: JobId }).strict()),
  'downloads.cancel': request<DownloadJob>()(z.object({ id: JobId, keepPartial: z.boolean().default(false) }).strict()),
  'downloads.remove': request<{ removed: true }>()(z.object({ id: JobId }).strict()),
  'cache.scan': request<CacheOverview>()(z.object({ fresh: z.boolean().optional() }).strict()),
  'cache.files': request<CacheFileView[]>()(z.object({ repo: RepoKey, commit: z.string().regex(/^[0-9a-f]{40}$/) }).strict()),
  'cache.planDelete': request<DeletePlanView>()(DeleteTargets),
  'cache.delete': request<DeletePlanView & { errors: string[] }>()(DeleteTargets),
  'cache.repair': request<DownloadJob[]>()(z.object({ repo: RepoKey }).strict()),
  'cache.verify': request<VerifyView>()(z.object({ repo: RepoKey }).strict()),
  'links.openExternal': request<{ opened: true }>()(
    z.object({ url: z.url({ protocol: /^https?$/, error: 'Only http(s) links can be opened.' }).max(2048) }).strict(),
  ),
  'gallery.search': request<SearchPage>()(
    z
      .object({
        search: z.string().max(200).optional(),
        author: z.string().max(100).optional(),
        library: z.enum(['gguf', 'safetensors']).optional(),
        task: z
          .string()
          .max(64)
          .regex(/^[a-z0-9-]*$/)
          .optional(),
        sort: z.enum(GALLERY_SORTS).default('trending'),
        cursor: z.string().max(2048).optional(),
      })
      .strict(),
  ),
  'gallery.model': request<ModelDetails>()(z.object({ repo: z.string().min(1).max(200), revision: z.string().min(1).max(255).default('main') }).strict()),
  'library.list': request<LibraryItem[]>()(Empty),
  'library.add': request<AddResult>()(z.object({ paths: z.array(z.string().min(1).max(4096)).min(1).max(1000) }).strict()),
  'library.pickFiles': request<AddResult>()(Empty),
  /** Copy or move a local checkpoint into Hubcap's own folder (it is used in place until then). */
  'library.relocate': request<LibraryItem>()(
    z.object({ key: z.string().regex(/^local:[0-9a-f-]{36}$/, 'Only local checkpoints can be moved.'), mode: z.enum(['copy', 'move']) }).strict(),
  ),
  'library.remove': request<{ removed: true }>()(
    z
      .object({ key: z.string().regex(/^local:[0-9a-f-]{36}$/, 'Only local checkpoints can be removed here.'), deleteFiles: z.boolean().default(false) })
      .strict(),
  ),
  'account.get': request<AccountView>()(Empty),
  // The one request that carries a token: validated here, never logged, never echoed back.
  'account.login': request<AccountView>()(
    z.object({ token: z.string().min(1, 'Paste a token.').max(512), name: z.string().trim().max(64).optional() }).strict(),
  ),
  'account.switch': request<AccountView>()(z.object({ name: z.string().min(1).max(64) }).strict()),
  'account.rename': request<AccountView>()(z.object({ from: z.string().min(1).max(64), to: z.string().trim().min(1, 'Enter a name.').max(64) }).strict()),
  'account.logout': request<AccountView>()(z.object({ name: z.string().min(1).max(64) }).strict()),
  'account.importTokenFile': request<AccountView>()(Empty),
  'account.deleteTokenFile': request<AccountView>()(Empty),
  'clipboard.writeText': request<{ copied: true }>()(z.object({ text: z.string().max(65_536) }).strict()),
  'inference.status': request<InferenceStatus>()(Empty),
  'inference.hardware': request<HardwareView>()(z.object({ refresh: z.boolean().optional() }).strict()),
  'inference.fit': request<FitEstimate>()(z.object({ key: LibraryKey, settings: LoadSettingsInput.partial().optional() }).strict()),
  'inference.load': request<InferenceStatus>()(
    z.object({ key: LibraryKey, settings: LoadSettingsInput.partial().optional(), force: z.boolean().default(false) }).strict(),
  ),
  'inference.unload': request<InferenceStatus>()(Empty),
  /** Fit of a GGUF on the Hub, from its header alone (read over HTTP ranges). */
  'gallery.fit': request<FitEstimate>()(
    z
      .object({
        repo: z.string().min(1).max(200),
        revision: z.string().min(1).max(255),
        path: z
          .string()
          .min(1)
          .max(1024)
          .regex(/\.gguf$/i, 'Only GGUF files have a fit estimate.'),
      })
      .strict(),
  ),
  'chat.list': request<ConversationSummary[]>()(z.object({ search: z.string().max(200).optional() }).strict()),
  'chat.get': request<Conversation>()(z.object({ id: ConversationId }).strict()),
  'chat.create': request<Conversation>()(z.object({ systemPrompt: z.string().max(32_768).optional() }).strict()),
  'chat.update': request<Conversation>()(
    z
      .object({
        id: ConversationId,
        title: z.string().trim().min(1, 'Enter a title.').max(200).optional(),
        systemPrompt: z.string().max(32_768).optional(),
        sampling: SamplingInput.optional(),
      })
      .strict(),
  ),
  'chat.delete': request<{ deleted: true }>()(z.object({ id: ConversationId }).strict()),
  /** Ask the loaded model. `editFrom`: replace that user message (and all after it) with this text. */
  'chat.send': request<Conversation>()(
    z.object({ id: ConversationId, text: z.string().trim().min(1, 'Type a message.').max(262_144), editFrom: MessageId.optional() }).strict(),
  ),
  'chat.regenerate': request<Conversation>()(z.object({ id: ConversationId }).strict()),
  'chat.stop': request<{ stopped: boolean }>()(z.object({ id: ConversationId }).strict()),
} as const;

export const events = {
  'settings.changed': event<SettingsView>(),
  'downloads.changed': event<DownloadJob>(),
  'account.changed': event<AccountView>(),
  'library.opened': event<AddResult>(),
  'hub.status': event<HubStatus>(),
  'inference.changed': event<InferenceStatus>(),
  'chat.stream': event<ChatStreamEvent>(),
  'chat.changed': event<Conversation>(),
  'chat.deleted': event<{ id: string }>(),
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
export function isEventName(name: string): name is EventName {
  return Object.hasOwn(events, name);
}
