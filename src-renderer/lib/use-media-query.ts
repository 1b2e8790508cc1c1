import { useSyncExternalStore } from 'react';

/** Whether a media query matches now, kept live as the window is resized. */
export function useMediaQuery(query: string): boolean {
  return useSyncExternalStore(
    (cb) => {
      const mql = window.matchMedia(query);
      mql.addEventListener('change', cb);
      return () => mql.removeEventListener('change', cb);
    },
    () => window.matchMedia(query).matches,
    () => false,
  );
}

/** Wide enough for side columns beside the content (Tailwind's `xl`). */
export const WIDE = '(min-width: 1280px)';
