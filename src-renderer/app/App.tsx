import { Suspense } from 'react';
import { Redirect, Route, Router, Switch } from 'wouter';
import { useAccount } from '../api/account';
import { useCacheFreshness } from '../api/cache';
import { useHubStatus } from '../api/hub';
import { useSessionSync } from '../api/session-sync';
import { useSettings } from '../api/settings';
import { TooltipProvider } from '../components/ui/tooltip';
import { DropZone } from '../components/DropZone';
import { ToastTray } from '../components/toasts/ToastTray';
import { useHashLocation } from './hash-location';
import { PageBoundary } from './PageBoundary';
import { RestartedBanner } from './RestartedBanner';
import { HOME, ROUTES } from './routes';
import { Sidebar } from './Sidebar';
import { StatusBar } from './StatusBar';
import { useApplyTheme } from './theme';

export function App() {
  // Mounted once for the whole window: events keep these live whichever page is open.
  useCacheFreshness();
  useHubStatus();
  useAccount();
  useSessionSync();
  const settings = useSettings();
  useApplyTheme(settings.data?.theme);
  const [location] = useHashLocation();
  return (
    <TooltipProvider delayDuration={300}>
      {/* Hash routing: works the same under app:// and hubcap serve, and survives reloads. */}
      <Router hook={useHashLocation}>
        <DropZone>
          <div className="flex h-full flex-col">
            <RestartedBanner />
            <div className="flex min-h-0 flex-1">
              <Sidebar />
              <main className="min-w-0 flex-1 overflow-y-auto">
                {/* A page not loaded yet shows an empty, busy main area for the moment its chunk takes. */}
                <PageBoundary location={location}>
                  <Suspense fallback={<div aria-busy="true" className="h-full" />}>
                    <Switch>
                      {ROUTES.map((r) => (
                        <Route key={r.path} path={r.path} component={r.page} />
                      ))}
                      <Route>
                        <Redirect to={HOME} />
                      </Route>
                    </Switch>
                  </Suspense>
                </PageBoundary>
              </main>
            </div>
            <ToastTray />
            <StatusBar />
          </div>
        </DropZone>
      </Router>
    </TooltipProvider>
  );
}
