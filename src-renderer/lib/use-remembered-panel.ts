import { useCallback, useSyncExternalStore } from 'react';
import { useMediaQuery } from './use-media-query';

/** Below this width the chat's side panels start closed: at 1280 px the conversation needs the room. */
export const ROOMY = '(min-width: 1440px)';

const listeners = new Set<() => void>();

function read(key: string): boolean | null {
  try {
    const v = localStorage.getItem(key);
    return v === 'open' ? true : v === 'closed' ? false : null;
  } catch {
    return null;
  }
}

/**
 * A side panel that is open or closed as the user last left it (kept in localStorage, per panel);
 * until they choose, open only when the window is roomy.
 */
export function useRememberedPanel(name: string): [boolean, (open: boolean) => void] {
  const key = `hubcap.panel.${name}`;
  const roomy = useMediaQuery(ROOMY);
  const chosen = useSyncExternalStore(
    (cb) => {
      listeners.add(cb);
      return () => listeners.delete(cb);
    },
    () => read(key),
  );
  const set = useCallback(
    (open: boolean) => {
      try {
        localStorage.setItem(key, open ? 'open' : 'closed');
      } catch {
        // storage refused (private mode): the choice lasts until the page closes
      }
      listeners.forEach((l) => l());
    },
    [key],
  );
  return [chosen ?? roomy, set];
}
