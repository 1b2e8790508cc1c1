import { ArrowRight } from 'lucide-react';
import { Link } from 'wouter';
import { modelPagePath, type ModelReference } from './model-reference';

/** A pasted link or repo id names a model: this opens it (Enter does too). */
export function ModelJump({ reference }: { reference: ModelReference }) {
  return (
    <Link
      href={modelPagePath(reference)}
      data-testid="model-jump"
      className="flex items-center gap-2 rounded-xl border border-primary/40 bg-accent px-4 py-2.5 text-sm hover:bg-accent/70"
    >
      <span className="min-w-0 flex-1 truncate">
        Open <span className="font-medium">{reference.repo}</span>
        {reference.quant ? ` at ${reference.quant}` : ''}
        {reference.file ? `: ${reference.file}` : ''}
        {reference.revision ? ` (${reference.revision})` : ''}
      </span>
      <span className="text-xs text-muted-foreground">Enter</span>
      <ArrowRight className="size-4" aria-hidden />
    </Link>
  );
}
