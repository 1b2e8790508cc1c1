import { Link, useLocation } from 'wouter';
import { cn } from '../lib/cn';
import { PAGES } from './pages';

export function Sidebar() {
  const [location] = useLocation();
  return (
    <nav aria-label="Main" className="flex w-56 shrink-0 flex-col border-r border-border bg-sidebar">
      <div className="flex items-center gap-2.5 px-5 py-5">
        <img src="/favicon.svg" alt="" className="size-7" />
        <span className="text-lg font-semibold tracking-tight">Hubcap</span>
      </div>
      <ul className="flex-1 space-y-0.5 px-3">
        {PAGES.map(({ path, label, icon: Icon }) => {
          const active = location === path || location.startsWith(`${path}/`) || (path === '/gallery' && location.startsWith('/model/'));
          return (
            <li key={path}>
              <Link
                href={path}
                aria-current={active ? 'page' : undefined}
                className={cn(
                  'flex items-center gap-3 rounded-md px-3 py-2 text-sm font-medium text-muted-foreground transition-colors hover:bg-muted hover:text-foreground',
                  active && 'bg-accent text-foreground hover:bg-accent',
                )}
              >
                <Icon className={cn('size-4', active && 'text-primary')} aria-hidden />
                {label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
