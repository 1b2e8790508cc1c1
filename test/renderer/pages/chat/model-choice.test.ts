import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../../src-main/contract/errors';
import type { FitEstimate, InferenceStatus } from '../../../../src-main/contract/inference';
import type { LibraryItem } from '../../../../src-main/contract/library';
import { chatModels, pickedKey, problemFor, wontFitEstimate } from '../../../../src-renderer/pages/chat/model-choice';

const item = (key: string, patch: Partial<LibraryItem> = {}) => ({ key, kind: 'gguf', missing: false, problem: null, ...patch }) as LibraryItem;
const models = [item('a'), item('b')];

describe('the Chat page’s model choice', () => {
  it('offers only GGUF models that are there and whose header is a model’s', () => {
    const all = [item('a'), item('st', { kind: 'safetensors' }), item('gone', { missing: true }), item('bad', { problem: 'not a model' }), item('b')];
    expect(chatModels(all).map((m) => m.key)).toEqual(['a', 'b']);
  });

  it('shows the pick, else the loaded model, else the conversation’s model when still there, else the first', () => {
    expect(pickedKey({ selected: 'b', loaded: 'a', preferred: 'a', models })).toBe('b');
    expect(pickedKey({ selected: '', loaded: 'b', preferred: 'a', models })).toBe('b');
    expect(pickedKey({ selected: '', loaded: null, preferred: 'b', models })).toBe('b');
    expect(pickedKey({ selected: '', loaded: null, preferred: 'deleted', models })).toBe('a');
    expect(pickedKey({ selected: '', loaded: null, preferred: null, models: [] })).toBe('');
  });

  it('keeps a failed load with its model, and a crash with every model', () => {
    const failed: InferenceStatus['problem'] = { at: '2026-01-01T00:00:00Z', kind: 'load-failed', message: 'bad file', key: 'a' };
    const crash: InferenceStatus['problem'] = { ...failed, kind: 'crash', key: 'a' };
    expect(problemFor(failed, 'a')).toBe(failed);
    expect(problemFor(failed, 'b')).toBeNull();
    expect(problemFor(crash, 'b')).toBe(crash);
    expect(problemFor(null, 'a')).toBeNull();
  });

  it('finds the estimate a load was refused with for not fitting, and only that', () => {
    const fit = { verdict: 'wont-fit' } as unknown as FitEstimate;
    expect(wontFitEstimate(new ApiError('WONT_FIT', 'too big', { fit }))).toBe(fit);
    expect(wontFitEstimate(new ApiError('LOAD_FAILED', 'bad', { fit }))).toBeUndefined();
    expect(wontFitEstimate(new Error('WONT_FIT'))).toBeUndefined();
    expect(wontFitEstimate(null)).toBeUndefined();
  });
});
