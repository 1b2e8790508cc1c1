/**
 * The renderer is loaded from `app://hubcap/`, not `file://`: a real origin for the CSP and for
 * checking IPC senders, and no access to the rest of the disk.
 */
import fs from 'node:fs/promises';
import type { CustomScheme } from 'electron';
import { contentSecurityPolicy } from '../ui-assets/csp';
import { contentTypeFor, resolveAssetPath } from '../ui-assets/files';

export const APP_SCHEME = 'app';
export const APP_HOST = 'hubcap';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_URL = `${APP_ORIGIN}/index.html`;

export function appSchemePrivileges(): CustomScheme[] {
  return [
    {
      scheme: APP_SCHEME,
      privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true, stream: true },
    },
  ];
}

export function isAppUrl(url: string): boolean {
  try {
    // Not `.origin`: Node's URL reports "null" as the origin of non-special schemes like app:.
    const u = new URL(url);
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST && u.username === '' && u.password === '';
  } catch {
    return false;
  }
}

/** The handler given to `protocol.handle(APP_SCHEME, …)`. */
export function createAppProtocolHandler(rendererDir: string): (request: Request) => Promise<Response> {
  const csp = contentSecurityPolicy();
  return async (request) => {
    const url = new URL(request.url);
    if (url.host !== APP_HOST) return new Response('Not found', { status: 404 });
    const file = resolveAssetPath(rendererDir, url.pathname);
    if (!file) return new Response('Forbidden', { status: 403 });
    try {
      const body = await fs.readFile(file);
      return new Response(body, {
        status: 200,
        headers: {
          'Content-Type': contentTypeFor(file),
          'Content-Security-Policy': csp,
          'X-Content-Type-Options': 'nosniff',
        },
      });
    } catch {
      return new Response('Not found', { status: 404 });
    }
  };
}
