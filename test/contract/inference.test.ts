/**
 * The one reading of "which model does inference have loaded" that the cache's delete and updates'
 * cleanup share: the file the loaded model runs from and its name, nothing else of the status.
 */
import { describe, expect, it } from 'vitest';
import { loadedModelFiles, type InferenceStatus, type LoadedModel } from '../../src-main/contract/inference';

const MODEL: LoadedModel = {
  key: 'hf:org/llm@main/llm-Q4_K_M.gguf',
  name: 'LLM Q4',
  path: '/cache/models--org--llm/snapshots/abc/llm-Q4_K_M.gguf',
  contextSize: 4096,
  trainContextSize: 8192,
  gpuLayers: 33,
  totalLayers: 33,
  backend: 'cpu',
  chatTemplate: 'ChatML',
  sequences: 1,
  threads: 2,
  threadsReason: null,
  loadMs: 120,
  fitWarning: null,
};

function source(model: LoadedModel | null): { status(): InferenceStatus } {
  return { status: () => ({ host: model ? 'ready' : 'stopped', model, loading: null, generating: null, problem: null }) };
}

describe('loadedModelFiles', () => {
  it('is empty while no model is loaded', () => {
    expect(loadedModelFiles(source(null))).toEqual([]);
  });

  it("names the loaded model's file and name, and only those", () => {
    expect(loadedModelFiles(source(MODEL))).toEqual([{ path: MODEL.path, name: MODEL.name }]);
  });

  it('asks inference each time, so an unload is seen at once', () => {
    let model: LoadedModel | null = MODEL;
    const live = { status: () => source(model).status() };
    expect(loadedModelFiles(live)).toHaveLength(1);
    model = null;
    expect(loadedModelFiles(live)).toEqual([]);
  });

  it('names the model being loaded too, marked as loading, beside a loaded one', () => {
    const loading = { key: 'hf:org/other@main/o.gguf', name: 'Other', path: '/cache/models--org--other/snapshots/def/o.gguf', progress: 0.3 };
    const status: InferenceStatus = { host: 'ready', model: MODEL, loading, generating: null, problem: null };
    expect(loadedModelFiles({ status: () => status })).toEqual([
      { path: MODEL.path, name: MODEL.name },
      { path: loading.path, name: 'Other', loading: true },
    ]);
    expect(loadedModelFiles({ status: () => ({ ...status, model: null }) })).toEqual([{ path: loading.path, name: 'Other', loading: true }]);
  });
});
