/**
 * What the desktop shell can do for the UI, as a slice of the contract: the app's versions, and
 * opening folders, links and the clipboard. Under `hubcap serve` there are no desktop actions and
 * each of these says so (the browser page opens links and writes the clipboard itself).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { appVersion, packageVersion } from '../base/versions';
import type { AppInfo, Capabilities } from '../contract/app';
import { ApiError } from '../contract/errors';
import type { HandlerSlice } from '../contract/handlers';
import { PRODUCT_NAME } from '../settings/data-dir';
import { browse } from './browse';

/** What only the desktop shell can do; absent under `hubcap serve`. */
export interface DesktopActions {
  openPath(absolutePath: string): Promise<void>;
  openExternal(url: string): Promise<void>;
  writeClipboard(text: string): Promise<void>;
  /** Shows one file selected in the file manager. */
  showItemInFolder(absolutePath: string): void;
  /** The native "open files" dialog: absolute paths, or none if cancelled. */
  pickModelFiles(): Promise<string[]>;
  /** The native dialog for folders (publishing a checkpoint folder). */
  pickFolders(): Promise<string[]>;
}

export interface DesktopHandlerDeps {
  transport: 'electron' | 'serve' | 'cli';
  platform: NodeJS.Platform;
  runtime?: { electron: string | null; chrome: string | null } | undefined;
  desktop?: DesktopActions | undefined;
  /** Folders by name (never a raw path from the renderer). */
  folders: { hubCache: () => string; dataDir: () => string; cacheRepo: (key: string) => string };
  /** A Library item's file. */
  itemFile: (key: string) => Promise<{ path: string; missing: boolean }>;
}

export function capabilities(desktop: DesktopActions | undefined): Capabilities {
  const on = Boolean(desktop);
  return { openInFileManager: on, openExternal: on, clipboard: on, pickFolders: on };
}

export function appInfo(deps: Pick<DesktopHandlerDeps, 'transport' | 'platform' | 'runtime' | 'desktop'>): AppInfo {
  const runtime = deps.runtime ?? { electron: null, chrome: null };
  return {
    name: PRODUCT_NAME,
    transport: deps.transport,
    platform: `${deps.platform} ${process.arch}`,
    versions: {
      app: appVersion,
      electron: runtime.electron,
      chrome: runtime.chrome,
      node: process.versions.node,
      nodeLlamaCpp: packageVersion('node-llama-cpp'),
    },
    capabilities: capabilities(deps.desktop),
  };
}

/** Free bytes on the drive of `dir`, or of its nearest existing parent (the cache may not exist yet). */
async function freeSpace(dir: string): Promise<number | null> {
  for (let d = dir; ; d = path.dirname(d)) {
    try {
      const s = await fs.promises.statfs(d);
      return s.bavail * s.bsize;
    } catch {
      if (path.dirname(d) === d) return null;
    }
  }
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

export function desktopHandlers(
  deps: DesktopHandlerDeps,
): HandlerSlice<'app.info' | 'places.open' | 'places.pickFolders' | 'places.browse' | 'places.cacheFreeSpace' | 'links.openExternal' | 'clipboard.writeText'> {
  const { desktop } = deps;
  return {
    'app.info': async () => appInfo(deps),
    'places.open': async (input) => {
      if (!desktop) throw new ApiError('NOT_AVAILABLE', 'Opening folders is only available in the desktop app; copy the path instead.');
      if (input.place === 'libraryItem') {
        const item = await deps.itemFile(input.key);
        if (item.missing || !fs.existsSync(item.path)) throw new ApiError('INVALID_PATH', `${item.path} is missing.`);
        desktop.showItemInFolder(item.path);
        return { opened: true };
      }
      const target =
        input.place === 'cacheRepo' ? deps.folders.cacheRepo(input.repo) : input.place === 'hubCache' ? deps.folders.hubCache() : deps.folders.dataDir();
      if (!isDirectory(target)) throw new ApiError('INVALID_PATH', `${target} does not exist yet.`);
      await desktop.openPath(target);
      return { opened: true };
    },
    'places.pickFolders': async () => {
      if (!desktop) throw new ApiError('NOT_AVAILABLE', 'Choosing folders is a desktop feature: under hubcap serve, type the path on the server.');
      return { paths: await desktop.pickFolders() };
    },
    // Under serve the page's user is remote: only the home folder and below are theirs to see.
    'places.browse': ({ path }) => browse(path, os.homedir(), deps.transport !== 'electron'),
    'places.cacheFreeSpace': async () => {
      const dir = deps.folders.hubCache();
      return { path: dir, freeBytes: await freeSpace(dir) };
    },
    'links.openExternal': async ({ url }) => {
      if (!desktop) throw new ApiError('NOT_AVAILABLE', 'The browser opens links itself under hubcap serve.');
      await desktop.openExternal(url);
      return { opened: true };
    },
    'clipboard.writeText': async ({ text }) => {
      if (!desktop) throw new ApiError('NOT_AVAILABLE', 'The browser writes the clipboard itself under hubcap serve.');
      await desktop.writeClipboard(text);
      return { copied: true };
    },
  };
}
