import { isTerminal, type DownloadJob } from '../../../src-main/contract/downloads';
import { useDownloads } from '../../api/downloads';
import { PageHeader } from '../../components/PageHeader';
import { ErrorNotice } from '../../components/ErrorNotice';
import { JobCard } from './JobCard';
import { NewDownload } from './NewDownload';
import { Page } from '../../components/Page';

/** Newest first, in the sections the page shows: what runs, then what failed, was cancelled, finished. */
export function groupJobs(list: readonly DownloadJob[]) {
  const jobs = [...list].reverse();
  return {
    active: jobs.filter((j) => !isTerminal(j.state)),
    failed: jobs.filter((j) => j.state === 'error'),
    cancelled: jobs.filter((j) => j.state === 'cancelled'),
    finished: jobs.filter((j) => j.state === 'done'),
  };
}

export function DownloadsPage() {
  const downloads = useDownloads();
  const { active, failed, cancelled, finished } = groupJobs(downloads.data ?? []);
  return (
    <Page>
      <PageHeader
        title="Downloads"
        description="Every file is checked against its hash before it lands in the cache; interrupted downloads resume where they stopped."
      />
      <NewDownload />
      {downloads.error ? <ErrorNotice error={downloads.error} /> : null}
      <section className="space-y-3">
        <h2 className="text-sm font-semibold text-muted-foreground">In progress ({active.length})</h2>
        {active.length ? (
          <ul className="space-y-3">
            {active.map((j) => (
              <JobCard key={j.id} job={j} />
            ))}
          </ul>
        ) : (
          <p className="text-sm text-muted-foreground">Nothing downloading.</p>
        )}
      </section>
      {(
        [
          ['Failed', failed],
          ['Cancelled', cancelled],
          ['Finished', finished],
        ] as const
      ).map(([title, list]) =>
        list.length ? (
          <section key={title} className="space-y-3" aria-label={title}>
            <h2 className="text-sm font-semibold text-muted-foreground">
              {title} ({list.length})
            </h2>
            <ul className="space-y-3">
              {list.map((j) => (
                <JobCard key={j.id} job={j} />
              ))}
            </ul>
          </section>
        ) : null,
      )}
    </Page>
  );
}
