/**
 * The route table: every page once, with where it answers, how it loads and (for the Sidebar) its
 * name and icon, in the Sidebar's order. Each page is its own chunk, loaded when its route is first
 * shown, so the first paint pays for the shell and one page, not for every page and the libraries
 * only some need (yaml, markdown, zod). Soon after the first page has loaded, the others are fetched
 * while the window is idle, so moving between pages does not wait on the network (serve) or the disk.
 */
import { lazy, type ComponentType, type LazyExoticComponent } from 'react';
import type * as ModelPageModule from '../pages/model/ModelPage';
import { Boxes, Compass, Download, HardDrive, MessageSquare, PlugZap, Settings, Upload, UserRound, type LucideIcon } from 'lucide-react';

type Params = Record<string, string | undefined>;
type Page = ComponentType<{ params: Params }>;

export interface RouteDef {
  /** The wouter pattern this page answers (`:key?` is an optional part). */
  path: string;
  /** Its Sidebar entry; none for pages reached from others (a model's page). */
  nav?: { href: string; label: string; icon: LucideIcon };
  page: LazyExoticComponent<Page>;
  load: () => Promise<unknown>;
}

/** A page by its module and export, as a lazy component given the route's params. */
function page<M>(load: () => Promise<M>, pick: (m: M) => Page): Pick<RouteDef, 'page' | 'load'> {
  return {
    page: lazy(async () => {
      const m = await load();
      preloadOthers();
      return { default: pick(m) };
    }),
    load,
  };
}

/** Keyed by the model: another model is a fresh page, never the last one's state. */
const modelRoute = ({ ModelPage }: typeof ModelPageModule): Page =>
  function ModelRoute({ params }) {
    const id = decodeURIComponent(params.id ?? '');
    return <ModelPage key={id} id={id} />;
  };

export const ROUTES: readonly RouteDef[] = [
  {
    path: '/gallery',
    nav: { href: '/gallery', label: 'Gallery', icon: Compass },
    ...page(
      () => import('../pages/gallery/GalleryPage'),
      (m) => m.GalleryPage,
    ),
  },
  { path: '/model/:id', ...page(() => import('../pages/model/ModelPage'), modelRoute) },
  {
    path: '/library',
    nav: { href: '/library', label: 'Library', icon: Boxes },
    ...page(
      () => import('../pages/library/LibraryPage'),
      (m) => m.LibraryPage,
    ),
  },
  {
    path: '/downloads',
    nav: { href: '/downloads', label: 'Downloads', icon: Download },
    ...page(
      () => import('../pages/downloads/DownloadsPage'),
      (m) => m.DownloadsPage,
    ),
  },
  {
    path: '/cache/:key?',
    nav: { href: '/cache', label: 'Cache', icon: HardDrive },
    ...page(
      () => import('../pages/cache/CachePage'),
      (m) => m.CachePage,
    ),
  },
  {
    path: '/chat/:id?',
    nav: { href: '/chat', label: 'Chat', icon: MessageSquare },
    ...page(
      () => import('../pages/chat/ChatPage'),
      (m) => m.ChatPage,
    ),
  },
  {
    path: '/publish',
    nav: { href: '/publish', label: 'Publish', icon: Upload },
    ...page(
      () => import('../pages/publish/PublishPage'),
      (m) => m.PublishPage,
    ),
  },
  {
    path: '/local-api',
    nav: { href: '/local-api', label: 'Local API', icon: PlugZap },
    ...page(
      () => import('../pages/local-api/LocalApiPage'),
      (m) => m.LocalApiPage,
    ),
  },
  {
    path: '/account',
    nav: { href: '/account', label: 'Account', icon: UserRound },
    ...page(
      () => import('../pages/account/AccountPage'),
      (m) => m.AccountPage,
    ),
  },
  {
    path: '/settings',
    nav: { href: '/settings', label: 'Settings', icon: Settings },
    ...page(
      () => import('../pages/settings/SettingsPage'),
      (m) => m.SettingsPage,
    ),
  },
];

/** Local first: the app opens on what is on this machine, with no request to the Hub. */
export const HOME = '/library';

/**
 * Starts loading the page the window opens on (or the home page) at once, beside the shell's own
 * start, rather than when React first renders its route. Every route has its own first segment.
 */
export function loadFirstPage(path: string): void {
  const segment = (p: string) => p.split('/')[1];
  const route = ROUTES.find((r) => segment(r.path) === segment(path)) ?? ROUTES.find((r) => r.path === HOME);
  route?.load().catch(() => undefined);
}

let preloading = false;

/** How long after the first page's chunk the others start loading: past its own data's first answer. */
const PRELOAD_AFTER_MS = 3000;

/**
 * Once the first page shown has its chunk, and a moment later (so they do not compete with that
 * page fetching and drawing its data), the others are fetched one per idle moment. A Sidebar link
 * also loads its page when pointed at or focused. A failed fetch is left to the route, which
 * retries when shown.
 */
function preloadOthers(): void {
  if (preloading) return;
  preloading = true;
  const idle = (fn: () => void) => (typeof requestIdleCallback === 'function' ? requestIdleCallback(fn) : setTimeout(fn, 50));
  const queue = [...ROUTES];
  const next = () => {
    const r = queue.shift();
    if (!r) return;
    r.load()
      .catch(() => undefined)
      .finally(() => idle(next));
  };
  setTimeout(() => idle(next), PRELOAD_AFTER_MS);
}
