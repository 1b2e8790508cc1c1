import { AlertTriangle } from 'lucide-react';
import { useSettings } from '../../api/settings';
import { PageHeader } from '../../components/PageHeader';
import { ErrorNotice } from '../../components/ErrorNotice';
import { AboutCard } from './AboutCard';
import { AppearanceCard } from './AppearanceCard';
import { CacheCard } from './CacheCard';
import { DataCard } from './DataCard';
import { DownloadsCard } from './DownloadsCard';
import { HubCard } from './HubCard';
import { InferenceSettingsCard } from './InferenceSettingsCard';
import { MirrorCard } from './MirrorCard';
import { UpdatesSettingsCard } from './UpdatesSettingsCard';
import { Page } from '../../components/Page';

export function SettingsPage() {
  const settings = useSettings();
  return (
    <Page>
      <PageHeader title="Settings" description="Where things live on disk and how Hubcap talks to the Hub." />
      {settings.error ? <ErrorNotice error={settings.error} /> : null}
      {settings.data?.warnings.map((w) => (
        <div key={w} role="alert" className="flex items-start gap-2 rounded-md border border-warning/40 bg-warning/10 px-3 py-2 text-sm text-warning">
          <AlertTriangle className="mt-0.5 size-4 shrink-0" aria-hidden />
          {w}
        </div>
      ))}
      {settings.data ? (
        <>
          {/* Keyed by the path: the draft starts over whenever the saved location changes. */}
          <CacheCard settings={settings.data} />
          <HubCard settings={settings.data} />
          <DownloadsCard settings={settings.data} />
          <UpdatesSettingsCard />
          <InferenceSettingsCard settings={settings.data} />
          <MirrorCard settings={settings.data} />
          <AppearanceCard settings={settings.data} />
          <DataCard settings={settings.data} />
          <AboutCard />
        </>
      ) : null}
    </Page>
  );
}
