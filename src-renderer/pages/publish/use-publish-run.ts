import { useState } from 'react';
import type { RequestInput } from '../../../src-main/contract/api';
import type { PublishPlan } from '../../../src-main/contract/publish';
import { usePublishJobs, useStartPublish } from '../../api/publish';

/**
 * Starting a publish and following its job. The plan a job was started from is kept: publishing
 * it twice would be a second, stale attempt.
 */
export function usePublishRun() {
  const start = useStartPublish();
  const jobs = usePublishJobs();
  const [jobId, setJobId] = useState<string | null>(null);
  const [startedFrom, setStartedFrom] = useState<PublishPlan | null>(null);
  const job = jobs.data?.find((j) => j.id === jobId) ?? null;
  const running = job !== null && !['done', 'failed', 'cancelled'].includes(job.state);
  const publish = (input: RequestInput<'publish.start'>, plan: PublishPlan) =>
    start.mutate(input, {
      onSuccess: (j) => {
        setJobId(j.id);
        setStartedFrom(plan);
      },
    });
  return { job, running, startedFrom, publish, isPending: start.isPending, error: start.error };
}
