import { FolderCog } from 'lucide-react';
import type { SettingsView } from '../../../src-main/contract/settings';
import { PathField } from '../../components/PathField';
import { Card, CardBody, CardHeader } from '../../components/ui/card';

export function DataCard({ settings }: { settings: SettingsView }) {
  return (
    <Card>
      <CardHeader
        icon={<FolderCog />}
        title="Hubcap’s data"
        description="Settings, the download queue, your Library list and saved conversations. Never your token: that lives in the OS keychain."
      />
      <CardBody>
        <PathField label="Data folder" path={settings.dataDir} place="dataDir" testId="data-dir" />
        <PathField label="Settings file" path={settings.settingsFile} />
      </CardBody>
    </Card>
  );
}
