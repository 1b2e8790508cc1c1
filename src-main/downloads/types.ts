// The shapes live in the contract (the renderer shows them); re-exported here for the engine.
export type { DownloadJob, DownloadRequest, FileState, JobFile, JobState } from '../contract/downloads';
