/**
 * The CLI's settings backend writes the very file conf (the app under serve, tests) and
 * electron-store write: same bytes, same mode, conf's internal key kept, read both ways.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { settingsFileBackend } from '../../src-main/cli/settings-file';
import { confBackend } from '../../src-main/settings/conf-backend';
import { SettingsStore } from '../../src-main/settings/store';
import { tmpDir } from '../helpers/tmp';

const opts = (cwd: string) => ({ cwd, name: 'settings', fileExtension: 'json' as const });
const file = (dir: string) => path.join(dir, 'settings.json');

describe('CLI settings file', () => {
  it('writes the same bytes and mode as conf, and each reads what the other wrote', () => {
    const ours = tmpDir();
    const theirs = tmpDir();
    SettingsStore.open(ours, settingsFileBackend).update({ theme: 'dark', hubCacheDir: '/data/hf' });
    SettingsStore.open(theirs, confBackend).update({ theme: 'dark', hubCacheDir: '/data/hf' });
    expect(fs.readFileSync(file(ours), 'utf8')).toBe(fs.readFileSync(file(theirs), 'utf8'));
    expect(fs.statSync(file(ours)).mode & 0o777).toBe(0o600);
    expect(SettingsStore.open(theirs, settingsFileBackend).get()).toMatchObject({ theme: 'dark', hubCacheDir: '/data/hf' });
    expect(SettingsStore.open(ours, confBackend).get()).toMatchObject({ theme: 'dark', hubCacheDir: '/data/hf' });
  });

  it('keeps conf’s internal key, and does not rewrite a file that would not change', () => {
    const dir = tmpDir();
    fs.writeFileSync(file(dir), JSON.stringify({ theme: 'light', __internal__: { migrations: { version: '1.0.0' } } }, undefined, '\t'), { mode: 0o600 });
    const backend = settingsFileBackend(opts(dir));
    backend.store = { theme: 'dark' };
    expect(JSON.parse(fs.readFileSync(file(dir), 'utf8'))).toEqual({ theme: 'dark', __internal__: { migrations: { version: '1.0.0' } } });
    const before = fs.statSync(file(dir)).ino;
    backend.store = { theme: 'dark' };
    // An atomic write would have given the file a new inode.
    expect(fs.statSync(file(dir)).ino).toBe(before);
  });

  it('reads a missing file as empty and creates it on the first write', () => {
    const dir = path.join(tmpDir(), 'data');
    const backend = settingsFileBackend(opts(dir));
    expect(backend.store).toEqual({});
    backend.store = { theme: 'system' };
    expect(JSON.parse(fs.readFileSync(file(dir), 'utf8'))).toEqual({ theme: 'system' });
  });
});
