import { Cpu } from 'lucide-react';
import type { LoadedModel } from '../../../src-main/contract/inference';

/**
 * The loaded model's figures: backend, layers on the GPU, context, template, threads, load time.
 * When another model is picked, the line says whose figures they are.
 */
export function LoadedModelLine({ loaded, isPicked }: { loaded: LoadedModel; isPicked: boolean }) {
  return (
    <p className="flex flex-wrap items-center gap-x-3 text-xs text-muted-foreground" data-testid="loaded-model">
      {isPicked ? null : (
        <span className="text-warning" data-testid="picked-not-loaded">
          Not loaded yet: the chat answers with
        </span>
      )}
      <span className="font-medium text-foreground">{loaded.name}</span>
      <span>
        {loaded.backend === 'cpu' ? <Cpu className="inline size-3.5" /> : null} {loaded.backend.toUpperCase()}
      </span>
      <span>
        {loaded.gpuLayers}/{loaded.totalLayers} layers on GPU
      </span>
      <span>{loaded.contextSize.toLocaleString()}-token context</span>
      <span>{loaded.chatTemplate} template</span>
      <span title={loaded.threadsReason ? `Chosen by Hubcap: ${loaded.threadsReason}` : 'Set in Settings'}>
        {loaded.threads} CPU thread{loaded.threads === 1 ? '' : 's'}
      </span>
      <span>loaded in {(loaded.loadMs / 1000).toFixed(1)} s</span>
    </p>
  );
}
