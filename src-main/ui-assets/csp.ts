/**
 * The Content-Security-Policy for the UI, the same under the Electron app protocol and under
 * `hubcap serve`. Scripts only from the app itself; images also from the Hub's own hosts (model
 * cards, avatars). Inline style *attributes* are allowed because Radix/TanStack position elements
 * with them; inline scripts never are.
 */
import { HUB_IMAGE_HOSTS } from '../contract/hub-hosts';

export { HUB_IMAGE_HOSTS };

export function contentSecurityPolicy(extraConnectSrc: string[] = []): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    `img-src 'self' data: blob: ${HUB_IMAGE_HOSTS.join(' ')}`,
    "font-src 'self' data:",
    ["connect-src 'self'", ...extraConnectSrc].join(' '),
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}
