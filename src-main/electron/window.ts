/** The main window's options: every security-relevant web preference is set explicitly. */
import type { BrowserWindowConstructorOptions } from 'electron';
import type { WindowBounds } from '../settings/schema';

export const DEFAULT_SIZE = { width: 1280, height: 820 };

export interface WindowOptionsInput {
  preloadPath: string;
  bounds: WindowBounds | null;
  darkBackground: boolean;
}

export function buildWindowOptions({ preloadPath, bounds, darkBackground }: WindowOptionsInput): BrowserWindowConstructorOptions {
  return {
    ...(bounds ? { x: bounds.x, y: bounds.y, width: bounds.width, height: bounds.height } : DEFAULT_SIZE),
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'Hubcap',
    backgroundColor: darkBackground ? '#0b0d12' : '#ffffff',
    autoHideMenuBar: true,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      spellcheck: false,
    },
  };
}
