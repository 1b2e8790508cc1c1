/**
 * Which download states are final, apart from the schemas in ../downloads.ts so the renderer's
 * shell (the Sidebar's badge) can ask without loading zod before its first paint.
 */
import type { JobState } from '../downloads';

/** States a job never leaves by itself. */
export const TERMINAL_JOB_STATES: readonly JobState[] = ['done', 'error', 'cancelled'];

export function isTerminal(state: JobState): boolean {
  return TERMINAL_JOB_STATES.includes(state);
}
