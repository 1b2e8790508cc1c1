import { Redirect, Route, Router, Switch } from 'wouter';
import { useAccount } from '../api/account';
import { useCacheFreshness } from '../api/cache';
import { useHubStatus } from '../api/hub';
import { useSessionSync } from '../api/session-sync';
import { useSettings } from '../api/settings';
import { TooltipProvider } from '../components/ui/tooltip';
import { DropZone } from '../components/DropZone';
import { ToastTray } from '../components/toasts/ToastTray';
import { AccountPage } from '../pages/account/AccountPage';
import { CachePage } from '../pages/cache/CachePage';
import { ChatPage } from '../pages/chat/ChatPage';
import { DownloadsPage } from '../pages/downloads/DownloadsPage';
import { GalleryPage } from '../pages/gallery/GalleryPage';
import { LibraryPage } from '../pages/library/LibraryPage';
import { LocalApiPage } from '../pages/local-api/LocalApiPage';
import { ModelPage } from '../pages/model/ModelPage';
import { PublishPage } from '../pages/publish/PublishPage';
import { SettingsPage } from '../pages/settings/SettingsPage';
import { useHashLocation } from './hash-location';
import { RestartedBanner } from './RestartedBanner';
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
                <Switch>
                  <Route path="/settings" component={SettingsPage} />
                  <Route path="/downloads" component={DownloadsPage} />
                  <Route path="/account" component={AccountPage} />
                  <Route path="/library" component={LibraryPage} />
                  <Route path="/publish" component={PublishPage} />
                  <Route path="/local-api" component={LocalApiPage} />
                  <Route path="/gallery" component={GalleryPage} />
                  {/* Keyed by the model: another model is a fresh page, never the last one's state. */}
                  <Route path="/model/:id">{(p) => <ModelPage key={p.id} id={decodeURIComponent(p.id)} />}</Route>
                  <Route path="/cache" component={CachePage} />
                  <Route path="/cache/:key" component={CachePage} />
                  <Route path="/chat" component={ChatPage} />
                  <Route path="/chat/:id" component={ChatPage} />
                  {/* Local first: the app opens on what is on this machine, with no request to the Hub. */}
                  <Route>
                    <Redirect to="/library" />
                  </Route>
                </Switch>
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
