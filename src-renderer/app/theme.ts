import { useEffect } from 'react';
import type { Theme } from '../../src-main/contract/settings';

const KEY = 'hubcap.theme';

function isDark(theme: Theme): boolean {
  return theme === 'dark' || (theme === 'system' && window.matchMedia('(prefers-color-scheme: dark)').matches);
}

/**
 * Called before the first render with the theme last seen, so a reload does not flash light
 * before the settings arrive. (The setting itself lives in the core; this is only a hint.)
 */
export function applyLastTheme(): void {
  const last = localStorage.getItem(KEY);
  if (last === 'light' || last === 'dark' || last === 'system') document.documentElement.classList.toggle('dark', isDark(last));
}

/** Applies the theme setting; "system" follows the OS and keeps following it. */
export function useApplyTheme(theme: Theme | undefined): void {
  useEffect(() => {
    if (!theme) return;
    localStorage.setItem(KEY, theme);
    const media = window.matchMedia('(prefers-color-scheme: dark)');
    const apply = () => document.documentElement.classList.toggle('dark', isDark(theme));
    apply();
    media.addEventListener('change', apply);
    return () => media.removeEventListener('change', apply);
  }, [theme]);
}
