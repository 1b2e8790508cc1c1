import { Link, useLocation } from 'wouter';
import { isTerminal } from '../../src-main/contract/present/job-state';
import { plural } from '../../src-main/contract/present/format';
import { useDownloads } from '../api/downloads';
import { Tooltip } from '../components/ui/tooltip';
import { cn } from '../lib/cn';
import { useMediaQuery } from '../lib/use-media-query';
import { PAGES } from './pages';

/** "2 downloading, 41 %": the download badge's words, on every page. */
function useDownloadBadge(): { count: number; label: string } | null {
  const jobs = (useDownloads().data ?? []).filter((j) => !isTerminal(j.state));
  if (!jobs.length) return null;
  const total = jobs.reduce((a, j) => a + j.bytesTotal, 0);
  const done = jobs.reduce((a, j) => a + j.bytesDone, 0);
  const pct = total ? ` · ${Math.floor((done / total) * 100)} %` : '';
  return { count: jobs.length, label: `${plural(jobs.length, 'download')} in progress${pct}` };
}

/** Icons alone need their names on hover; with labels shown a tooltip would only repeat them. */
function NameTip({ show, content, children }: { show: boolean; content: string; children: React.ReactElement }) {
  return show ? <Tooltip content={content}>{children}</Tooltip> : children;
}

/** Labels beside icons from 1024 px; icons alone (named by tooltips and aria-labels) below. */
export function Sidebar() {
  const [location] = useLocation();
  const badge = useDownloadBadge();
  const labelled = useMediaQuery('(min-width: 1024px)');
  return (
    <nav aria-label="Main" className="flex w-16 shrink-0 flex-col border-r border-border bg-sidebar lg:w-56">
      <div className="flex items-center justify-center gap-2.5 py-5 lg:justify-start lg:px-5">
        <img src="/favicon.svg" alt="" className="size-7" />
        <span className="hidden text-lg font-semibold tracking-tight lg:inline">Hubcap</span>
      </div>
      <ul className="flex-1 space-y-0.5 px-2 lg:px-3">
        {PAGES.map(({ path, label, icon: Icon, preload }) => {
          const active = location === path || location.startsWith(`${path}/`) || (path === '/gallery' && location.startsWith('/model/'));
          const count = path === '/downloads' ? badge : null;
          return (
            <li key={path}>
              <NameTip show={!labelled} content={count ? `${label}: ${count.label}` : label}>
                <Link
                  href={path}
                  onPointerEnter={preload}
                  onFocus={preload}
                  aria-current={active ? 'page' : undefined}
                  aria-label={count ? `${label}, ${count.label}` : label}
                  className={cn(
                    'relative flex items-center justify-center gap-3 rounded-md py-2 text-sm font-medium text-muted-foreground transition-colors hover:bg-muted hover:text-foreground lg:justify-start lg:px-3',
                    active && 'bg-accent text-foreground hover:bg-accent',
                  )}
                >
                  <Icon className={cn('size-4 shrink-0', active && 'text-primary')} aria-hidden />
                  <span className="hidden lg:inline">{label}</span>
                  {count ? (
                    <span
                      data-testid="downloads-badge"
                      className="absolute right-1 top-0.5 min-w-4 rounded-full bg-primary px-1 text-center text-[10px] font-semibold leading-4 text-primary-foreground lg:static lg:ml-auto lg:text-xs lg:leading-5"
                    >
                      {count.count}
                    </span>
                  ) : null}
                </Link>
              </NameTip>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
