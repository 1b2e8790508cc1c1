/** The app itself and what the desktop shell can do for the UI: versions, folders, links, clipboard. */
import { z } from 'zod';
import { ItemKeySchema, RepoKeySchema } from './keys';
import { Empty, request } from './request';

export interface Capabilities {
  /** Can the core open a folder in the user's file manager (desktop only). */
  openInFileManager: boolean;
  /** Can the core open a URL in the system browser (desktop only; in a browser the page opens links itself). */
  openExternal: boolean;
  /** Can the core write the clipboard (desktop; in a browser the page uses navigator.clipboard). */
  clipboard: boolean;
  /** Can the core show the native "choose folders" dialog (desktop only; under serve paths are typed). */
  pickFolders: boolean;
}

export interface AppInfo {
  name: string;
  /** The desktop app, `hubcap serve`, or the command line. */
  transport: 'electron' | 'serve' | 'cli';
  platform: string;
  versions: { app: string; electron: string | null; chrome: string | null; node: string; nodeLlamaCpp: string | null };
  capabilities: Capabilities;
}

/** One folder (or file) as a picker without a native dialog shows it, with what it holds. */
export interface FolderListing {
  path: string;
  kind: 'folder' | 'file';
  /** null at the top of what may be browsed (the home folder under serve). */
  parent: string | null;
  home: string;
  /** Its subfolders' names (bounded). */
  folders: string[];
  /** Files and bytes under it, as publishing would send them (.git and .cache left out). */
  files: number;
  bytes: number;
  /** A bound was hit: more names, or more files, than counted. */
  truncated: boolean;
}

/** Places the core may open in the file manager: named, never a raw path from the renderer. */
export const PLACES = ['hubCache', 'dataDir'] as const;
export type Place = (typeof PLACES)[number];

export const appRequests = {
  'app.info': request<AppInfo>()(Empty),
  'places.open': request<{ opened: true }>()(
    z.union([
      z.object({ place: z.enum(PLACES) }).strict(),
      z.object({ place: z.literal('cacheRepo'), repo: RepoKeySchema }).strict(),
      // A Library item's file, selected in the file manager.
      z.object({ place: z.literal('libraryItem'), key: ItemKeySchema }).strict(),
    ]),
  ),
  'links.openExternal': request<{ opened: true }>()(
    z.object({ url: z.url({ protocol: /^https?$/, error: 'Only http(s) links can be opened.' }).max(2048) }).strict(),
  ),
  'clipboard.writeText': request<{ copied: true }>()(z.object({ text: z.string().max(65_536) }).strict()),
  /** The native folder dialog (desktop only): the folders chosen, none if cancelled. */
  'places.pickFolders': request<{ paths: string[] }>()(Empty),
  /** A folder's subfolders and size, for Browse where there is no native dialog; under serve, the home folder and below only. */
  'places.browse': request<FolderListing>()(z.object({ path: z.string().min(1).max(4096).optional() }).strict()),
  /** Free space where downloads go (the cache's drive), to ask before one that would not fit; null when unknown. */
  'places.cacheFreeSpace': request<{ path: string; freeBytes: number | null }>()(Empty),
} as const;
