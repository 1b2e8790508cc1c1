/**
 * File names from the Hub that Hubcap refuses to store, with the reason. Python stores whatever
 * its file system allows; we refuse everywhere what some file system cannot hold (a cache moves
 * between machines and drives) and anything with control characters, which would otherwise reach
 * a terminal through `hubcap cache verify` and friends.
 */
import { isSafeRepoPath } from './repo-id';

const RESERVED = /^(con|prn|aux|nul|conin\$|conout\$|com[0-9¹²³]|lpt[0-9¹²³])(\.|$)/i;
// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused here
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const WINDOWS_FORBIDDEN = /[<>:"|?*]/;

/** Shows a name safely in messages: control characters escaped, bounded length. */
export function quoteName(name: string): string {
  return JSON.stringify(name.length > 200 ? `${name.slice(0, 200)}…` : name).replace(
    /[\u007f-\u009f]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** null when the path can be stored in the cache on every system; otherwise why not. */
export function unsafeNameReason(p: string): string | null {
  if (CONTROL.test(p)) return 'it contains control characters';
  if (!isSafeRepoPath(p)) return 'it could escape the cache folder';
  for (const seg of p.split('/')) {
    if (Buffer.byteLength(seg) > 255) return 'a part of it is longer than 255 bytes';
    if (RESERVED.test(seg)) return `Windows reserves the name ${quoteName(seg.split('.')[0] as string)}`;
    if (/[. ]$/.test(seg)) return 'Windows cannot store a name ending in a dot or a space';
    const bad = WINDOWS_FORBIDDEN.exec(seg);
    if (bad) return `Windows cannot store the character ${quoteName(bad[0])} in a file name`;
  }
  return null;
}
