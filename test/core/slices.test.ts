import { describe, expect, it } from 'vitest';
import { defineSlice } from '../../src-main/base/slice';
import { wireSlices } from '../../src-main/core/core';
import { SLICES } from '../../src-main/core/slices';

const ROOT_NAMES = ['options', 'hf', 'events', 'keychain'];

describe('the slice list', () => {
  it('names each capability once, and every name a slice needs is the root or a listed slice', () => {
    const names = SLICES.map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
    for (const slice of SLICES) {
      for (const need of slice.needs) expect([...ROOT_NAMES, ...names], `${slice.name} needs ${need}`).toContain(need);
    }
  });
});

describe('wiring slices', () => {
  it('builds in order, reaches later services from callbacks, merges handlers, and closes in reverse', async () => {
    const log: string[] = [];
    const first = defineSlice({
      name: 'first',
      needs: ['second'],
      create: (needs: { second: { hello(): string } }) => ({ greet: () => `first hears ${needs.second.hello()}` }),
      handlers: (svc) => ({ 'app.info': async () => ({ said: svc.greet() }) }) as never,
      ready: () => void log.push('ready first'),
      close: () => void log.push('close first'),
    });
    const second = defineSlice({
      name: 'second',
      needs: ['root'],
      create: (needs: { root: { word: string } }) => ({ hello: () => needs.root.word }),
      background: () => void log.push('background second'),
      close: async () => void log.push('close second'),
    });
    const wired = wireSlices({ root: { word: 'hi' } }, [first, second], false);
    const info = await (wired.handlers['app.info'] as unknown as () => Promise<{ said: string }>)();
    expect(info.said).toBe('first hears hi');
    expect(log).toEqual(['ready first']); // not serving: no background work
    await wired.close();
    expect(log).toEqual(['ready first', 'close second', 'close first']);

    const serving = wireSlices({ root: { word: 'hi' } }, [first, second], true);
    expect(log.at(-1)).toBe('background second');
    await serving.close();
  });

  it('refuses a name the slice did not declare, and a later service used while being built', () => {
    const sneaky = defineSlice({
      name: 'sneaky',
      needs: ['root'],
      create: (needs: { root: unknown }) => (needs as unknown as { other: unknown }).other,
    });
    expect(() => wireSlices({ root: 1, other: 2 }, [sneaky], false)).toThrow(/sneaky slice did not declare that it needs other/);

    const eager = defineSlice({ name: 'eager', needs: ['late'], create: (needs: { late: { n: number } }) => needs.late.n });
    const late = defineSlice({ name: 'late', needs: [], create: () => ({ n: 1 }) });
    expect(() => wireSlices({}, [eager, late], false)).toThrow(/eager slice used late while being built/);
  });

  it('gives a need named absent a stand-in that fails at first use, naming it; the slice is still built', () => {
    const cache = defineSlice({
      name: 'cache',
      needs: ['exports'],
      create: (_needs: { exports: { outsideUses(): unknown } }) => ({ root: '/c' }),
      handlers: (_, { exports }) => ({ 'cache.planDelete': async () => exports.outsideUses() }) as never,
    });
    const wired = wireSlices({}, [cache], false, ['exports']);
    expect(wired.registry.cache).toEqual({ root: '/c' });
    const planDelete = wired.handlers['cache.planDelete'] as unknown as () => Promise<unknown>;
    return expect(planDelete()).rejects.toThrow('The cache slice used exports, which this core does not compose.');
  });
});
