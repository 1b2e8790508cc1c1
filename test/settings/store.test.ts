import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../src-main/settings/schema';
import { SettingsStore } from '../../src-main/settings/store';
import { confBackend } from '../../src-main/settings/conf-backend';
import { tmpDir } from '../helpers/tmp';

describe('settings store', () => {
  it('starts from defaults and persists changes across reopen', () => {
    const dir = tmpDir();
    const store = SettingsStore.open(dir, confBackend);
    expect(store.get()).toEqual(DEFAULT_SETTINGS);
    expect(store.warnings).toEqual([]);
    store.update({ hubCacheDir: '/data/hf', offline: true });
    const again = SettingsStore.open(dir, confBackend);
    expect(again.get()).toMatchObject({ hubCacheDir: '/data/hf', offline: true, theme: 'system' });
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'settings.json'), 'utf8'))).toMatchObject({ hubCacheDir: '/data/hf' });
  });

  it('writes the settings file readable only by the user', () => {
    const dir = tmpDir();
    SettingsStore.open(dir, confBackend).update({ theme: 'dark' });
    expect(fs.statSync(path.join(dir, 'settings.json')).mode & 0o077).toBe(0);
  });

  it('sets a corrupt file aside, reports it and uses defaults instead of crashing', () => {
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, 'settings.json'), '{"hubCacheDir": "/x", oops');
    const store = SettingsStore.open(dir, confBackend, () => new Date('2026-01-02T03:04:05.000Z'));
    expect(store.get()).toEqual(DEFAULT_SETTINGS);
    expect(store.warnings).toHaveLength(1);
    expect(store.warnings[0]).toMatch(/not valid JSON/);
    const aside = path.join(dir, 'settings.corrupt-2026-01-02T03-04-05-000Z.json');
    expect(fs.readFileSync(aside, 'utf8')).toBe('{"hubCacheDir": "/x", oops');
    expect(store.warnings[0]).toContain(aside);
  });

  it('sets aside a file whose values break the schema', () => {
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, 'settings.json'), JSON.stringify({ theme: 'purple', offline: 'yes' }));
    const store = SettingsStore.open(dir, confBackend);
    expect(store.get()).toEqual(DEFAULT_SETTINGS);
    expect(store.warnings[0]).toMatch(/invalid values/);
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('settings.corrupt-'))).toHaveLength(1);
  });

  it('rejects an invalid update without touching the file', () => {
    const dir = tmpDir();
    const store = SettingsStore.open(dir, confBackend);
    store.update({ theme: 'dark' });
    const before = fs.readFileSync(path.join(dir, 'settings.json'), 'utf8');
    expect(() => store.update({ theme: 'neon' as never })).toThrow();
    expect(fs.readFileSync(path.join(dir, 'settings.json'), 'utf8')).toBe(before);
    expect(store.get().theme).toBe('dark');
  });
});
