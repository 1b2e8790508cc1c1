/**
 * Hardening of every web contents and session: no navigation away from the app, no new windows
 * (http(s) links go to the system browser, anything else is dropped), no webviews, and every
 * permission request denied.
 */
import type { Session, WebContents } from 'electron';
import { isAppUrl } from './protocol';

export function isExternalHttpUrl(url: string): boolean {
  try {
    const { protocol } = new URL(url);
    return protocol === 'https:' || protocol === 'http:';
  } catch {
    return false;
  }
}

type OpenExternal = (url: string) => Promise<void> | void;

export function hardenWebContents(contents: WebContents, openExternal: OpenExternal, isTrustedUrl: (url: string) => boolean = isAppUrl): void {
  const blockNavigation = (event: { preventDefault(): void }, url: string) => {
    if (isTrustedUrl(url)) return;
    event.preventDefault();
    if (isExternalHttpUrl(url)) void openExternal(url);
  };
  contents.on('will-navigate', blockNavigation);
  contents.on('will-redirect', blockNavigation);
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (isExternalHttpUrl(url)) void openExternal(url);
    return { action: 'deny' };
  });
}

export function denyAllPermissions(session: Session): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
}
