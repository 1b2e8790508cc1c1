import { Link } from 'wouter';
import { Boxes, Compass } from 'lucide-react';
import { useSettings } from '../../api/settings';
import { Button } from '../../components/ui/button';
import { AddFiles } from './AddFiles';
import { FindModelsButton } from './FindModels';

/** The first run: the next steps as actions, where models will live, and that no account is needed yet. */
export function EmptyLibrary({ onFind }: { onFind: () => void }) {
  const settings = useSettings();
  return (
    <div className="flex flex-col items-center rounded-xl border border-dashed border-border px-8 py-12 text-center" data-testid="empty-library">
      <Boxes className="size-8 text-primary" />
      <p className="mt-3 font-medium">Your Library is empty</p>
      <p className="mt-1 max-w-lg text-sm text-muted-foreground">
        Find a model on the Hub, or add .gguf / .safetensors files you already have (dropping them anywhere in this window works too).
      </p>
      <div className="mt-5 flex flex-wrap justify-center gap-2">
        <Button variant="primary" asChild>
          <Link href="/gallery">
            <Compass />
            Browse the Gallery
          </Link>
        </Button>
        <FindModelsButton onClick={onFind} />
        <AddFiles variant="outline" />
      </div>
      <dl className="mt-6 max-w-lg space-y-1 text-left text-xs text-muted-foreground">
        <div>
          <dt className="inline font-medium text-foreground">Downloads go to </dt>
          <dd className="inline break-all font-mono">{settings.data?.hubCache.path ?? 'the Hugging Face cache'}</dd>
          <dd>the Hugging Face cache that Python tools share (change it in Settings).</dd>
        </div>
        <div>
          <dt className="inline font-medium text-foreground">No account needed: </dt>
          <dd className="inline">public models download without a token. You need one only for a gated model, or to publish your own.</dd>
        </div>
      </dl>
    </div>
  );
}
