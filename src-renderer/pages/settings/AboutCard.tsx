import { Cpu } from 'lucide-react';
import { useAppInfo } from '../../api/app';
import { Card, CardBody, CardHeader } from '../../components/ui/card';

/** Versions, for bug reports. */
export function AboutCard() {
  const info = useAppInfo();
  const v = info.data?.versions;
  const rows: [string, string][] = v
    ? [
        ['Hubcap', v.app],
        ['Running as', info.data?.transport === 'serve' ? 'hubcap serve (browser UI)' : 'Desktop app'],
        ['Electron', v.electron ?? 'not running in Electron'],
        ['Chromium', v.chrome ?? '—'],
        ['Node.js', v.node],
        ['node-llama-cpp', v.nodeLlamaCpp ?? 'not installed'],
        ['Platform', info.data?.platform ?? ''],
      ]
    : [];
  return (
    <Card>
      <CardHeader icon={<Cpu />} title="About" />
      <CardBody>
        <dl className="grid grid-cols-[10rem_1fr] gap-y-1.5 text-sm" data-testid="versions">
          {rows.map(([k, val]) => (
            <div key={k} className="contents">
              <dt className="text-muted-foreground">{k}</dt>
              <dd className="font-mono">{val}</dd>
            </div>
          ))}
        </dl>
      </CardBody>
    </Card>
  );
}
