import { Redirect, Route, Router, Switch } from 'wouter';
import { useHashLocation } from 'wouter/use-hash-location';
import { useEffect } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { useApi, useApiQuery, useEventIntoQuery } from '../api/context';
import { TooltipProvider } from '../components/ui/tooltip';
import { ComingPage } from '../pages/ComingPage';
import { SettingsPage } from '../pages/SettingsPage';
import { DownloadsPage } from '../pages/DownloadsPage';
import { CachePage } from '../pages/CachePage';
import { AccountPage } from '../pages/AccountPage';
import { LibraryPage } from '../pages/LibraryPage';
import { GalleryPage } from '../pages/GalleryPage';
import { ModelPage } from '../pages/ModelPage';
import { ChatPage } from '../pages/ChatPage';
import { DropZone } from '../components/DropZone';

/** Pages that are built; the others show a short "coming" panel. */
const BUILT = new Set(['/settings', '/downloads', '/cache', '/account', '/library', '/gallery', '/chat']);
import { PAGES } from './pages';
import { Sidebar } from './Sidebar';
import { StatusBar } from './StatusBar';
import { useApplyTheme } from './theme';

/** A finished download changes the cache: the Cache page's data is stale from then on. */
function useCacheFreshness() {
  const api = useApi();
  const client = useQueryClient();
  useEffect(
    () =>
      api.on('downloads.changed', (job) => {
        if (job.state === 'done') void client.invalidateQueries({ queryKey: ['cache.scan'] });
      }),
    [api, client],
  );
}

export function App() {
  useCacheFreshness();
  useEventIntoQuery('settings.changed', 'settings.get');
  useEventIntoQuery('hub.status', 'hub.status');
  useEventIntoQuery('account.changed', 'account.get');
  const settings = useApiQuery('settings.get', {});
  useApplyTheme(settings.data?.theme);
  return (
    <TooltipProvider delayDuration={300}>
      {/* Hash routing: works the same under app:// and hubcap serve, and survives reloads. */}
      <Router hook={useHashLocation}>
        <DropZone>
          <div className="flex h-full flex-col">
            <div className="flex min-h-0 flex-1">
              <Sidebar />
              <main className="min-w-0 flex-1 overflow-y-auto">
                <Switch>
                  <Route path="/settings" component={SettingsPage} />
                  <Route path="/downloads" component={DownloadsPage} />
                  <Route path="/account" component={AccountPage} />
                  <Route path="/library" component={LibraryPage} />
                  <Route path="/gallery" component={GalleryPage} />
                  <Route path="/model/:id" component={ModelPage} />
                  <Route path="/cache" component={CachePage} />
                  <Route path="/cache/:key" component={CachePage} />
                  <Route path="/chat" component={ChatPage} />
                  <Route path="/chat/:id" component={ChatPage} />
                  {PAGES.filter((p) => !BUILT.has(p.path)).map((page) => (
                    <Route key={page.path} path={page.path}>
                      <ComingPage page={page} />
                    </Route>
                  ))}
                  {/* Local first: the app opens on what is on this machine, with no request to the Hub. */}
                  <Route>
                    <Redirect to="/library" />
                  </Route>
                </Switch>
              </main>
            </div>
            <StatusBar />
          </div>
        </DropZone>
      </Router>
    </TooltipProvider>
  );
}
