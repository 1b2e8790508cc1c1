/**
 * The desktop shell: the only place (with its siblings in this folder) that imports electron.
 * It builds the core, serves the UI from the app protocol, hardens every web contents, and carries
 * the contract over IPC. Everything it configures is built by small functions that tests call
 * with a stand-in for electron.
 */
import path from 'node:path';
import { app, BrowserWindow, clipboard, dialog, ipcMain, protocol, screen, session, shell, utilityProcess } from 'electron';
import { createCore, type Core } from '../core/core';
import { processEnv } from '../hub/hf-env';
import { dispatch } from '../rpc/dispatch';
import type { AddResult } from '../contract/library';
import { defaultDataDir } from '../settings/data-dir';
import { APP_SCHEME, APP_URL, appSchemePrivileges, createAppProtocolHandler, isAppUrl } from './protocol';
import { denyAllPermissions, hardenWebContents, isExternalHttpUrl } from './security';
import { wireIpc } from './ipc';
import { buildWindowOptions } from './window';
import { trackWindowState, visibleBounds } from './window-state';
import { electronStoreBackend } from './store-backend';
import { utilityHostLauncher } from './inference-host';

const here = import.meta.dirname;
/** Read once here and passed on: nothing below the shells reads the environment itself. */
const env = processEnv();
const rendererDir = path.join(here, '../renderer');
const preloadPath = path.join(here, '../preload/preload.cjs');
// electron-vite dev serves the renderer over http with hot reload; never in a packaged app.
const devUrl = !app.isPackaged ? env.ELECTRON_RENDERER_URL : undefined;
const isTrustedUrl = (url: string): boolean => isAppUrl(url) || (devUrl !== undefined && url.startsWith(devUrl));

let mainWindow: BrowserWindow | null = null;
let core: Core | null = null;
/** Files the OS handed us before the core was ready (macOS sends open-file before ready). */
const pendingOpen: string[] = [];

/** Model files named on a command line (file association launches, second instances). */
export function modelPathsFromArgv(argv: string[]): string[] {
  return argv.slice(1).filter((a) => !a.startsWith('-') && /\.(gguf|safetensors)$/i.test(a) && path.isAbsolute(a));
}

/** Files the OS asked us to open (file association, a second launch): added, and the UI told. */
async function addOpened(ready: Core, paths: string[]): Promise<void> {
  const models = paths.filter((p) => /\.(gguf|safetensors)$/i.test(p));
  if (!models.length) return;
  const result = await dispatch(ready.handlers, 'library.add', { paths: models });
  if (result.ok) ready.events.emit('library.opened', result.value as AddResult);
}

function openFiles(paths: string[]): void {
  if (!paths.length) return;
  if (core) void addOpened(core, paths);
  else pendingOpen.push(...paths);
  if (mainWindow) {
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  }
}

async function openExternal(url: string): Promise<void> {
  if (isExternalHttpUrl(url)) await shell.openExternal(url);
}

function createWindow(core: Core): void {
  const saved = visibleBounds(
    core.settings.get().windowBounds,
    screen.getAllDisplays().map((d) => d.workArea),
  );
  const win = new BrowserWindow(buildWindowOptions({ preloadPath, bounds: saved, darkBackground: core.settings.get().theme === 'dark' }));
  mainWindow = win;
  if (saved?.maximized) win.maximize();
  trackWindowState(win, (bounds) => core.settings.updateStored({ windowBounds: bounds }));
  win.once('ready-to-show', () => win.show());
  win.on('closed', () => {
    mainWindow = null;
  });
  void win.loadURL(devUrl ?? APP_URL);
}

async function start(): Promise<void> {
  core = createCore({
    transport: 'electron',
    env,
    homeDir: app.getPath('home'),
    platform: process.platform,
    dataDir: env.HUBCAP_DATA_DIR ? defaultDataDir(env, app.getPath('home'), process.platform) : app.getPath('userData'),
    settingsBackend: electronStoreBackend,
    runtime: { electron: process.versions.electron ?? null, chrome: process.versions.chrome ?? null },
    inferenceLauncher: utilityHostLauncher(utilityProcess, path.join(here, 'inference-host.js'), env),
    uploadWorker: path.join(here, 'publish-worker.js'),
    xetDecodeWorker: path.join(here, 'xet-decode-worker.js'),
    desktop: {
      openPath: async (p) => {
        const error = await shell.openPath(p);
        if (error) throw new Error(error);
      },
      openExternal,
      showItemInFolder: (p) => shell.showItemInFolder(p),
      writeClipboard: async (text) => clipboard.writeText(text),
      pickModelFiles: async () => {
        const options = {
          properties: ['openFile', 'multiSelections'] as ('openFile' | 'multiSelections')[],
          filters: [{ name: 'Models', extensions: ['gguf', 'safetensors'] }],
        };
        const r = mainWindow ? await dialog.showOpenDialog(mainWindow, options) : await dialog.showOpenDialog(options);
        return r.canceled ? [] : r.filePaths;
      },
      pickFolders: async () => {
        const options = { properties: ['openDirectory', 'multiSelections'] as ('openDirectory' | 'multiSelections')[] };
        const r = mainWindow ? await dialog.showOpenDialog(mainWindow, options) : await dialog.showOpenDialog(options);
        return r.canceled ? [] : r.filePaths;
      },
    },
  });
  const ready = core;
  denyAllPermissions(session.defaultSession);
  protocol.handle(APP_SCHEME, createAppProtocolHandler(rendererDir));
  wireIpc(ipcMain, ready, isTrustedUrl);
  createWindow(ready);
  openFiles([...pendingOpen.splice(0), ...modelPathsFromArgv(process.argv)]);
  // Flush the download queue so a restart resumes exactly where this run stopped.
  app.on('before-quit', () => void ready.close());
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow(ready);
  });
}

// Must run before `ready`: the app scheme needs its privileges (secure, standard, fetch).
protocol.registerSchemesAsPrivileged(appSchemePrivileges());
app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, openExternal, isTrustedUrl));
// macOS: double-clicked .gguf files arrive here, possibly before ready.
app.on('open-file', (event, file) => {
  event.preventDefault();
  openFiles([file]);
});

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  // A second launch (e.g. opening a .gguf with Hubcap on Windows/Linux) hands its files to this one.
  app.on('second-instance', (_event, argv) => {
    openFiles(modelPathsFromArgv(argv));
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app
    .whenReady()
    .then(start)
    .catch((error: unknown) => {
      // A clear message instead of a silent crash (e.g. an unreadable data folder).
      const message = error instanceof Error ? error.message : String(error);
      console.error('[hubcap] failed to start:', message);
      dialog.showErrorBox('Hubcap could not start', message);
      app.exit(1);
    });
}
