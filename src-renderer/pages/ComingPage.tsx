import type { PageDef } from '../app/pages';
import { PageHeader } from '../components/PageHeader';

/** A page that a later issue builds: a short panel saying what it will do, nothing more. */
export function ComingPage({ page }: { page: PageDef }) {
  const Icon = page.icon;
  return (
    <div className="mx-auto max-w-4xl p-8">
      <PageHeader title={page.label} />
      <div className="mt-6 flex flex-col items-center rounded-xl border border-dashed border-border px-8 py-16 text-center">
        <div className="rounded-full bg-accent p-4 text-primary">
          <Icon className="size-8" aria-hidden />
        </div>
        <p className="mt-4 text-sm font-medium">Coming soon</p>
        <p className="mt-1 max-w-md text-sm text-muted-foreground">{page.purpose}</p>
      </div>
    </div>
  );
}
