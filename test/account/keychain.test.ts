/**
 * The keychain path against a real Secret Service (gnome-keyring-daemon inside dbus-run-session,
 * started here), and the no-keychain path (no session bus at all).
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Entry } from '@napi-rs/keyring';
import { osKeychain } from '../../src-main/account/keychain';
import { fakeHub } from '../helpers/hub';
import { tmpDir } from '../helpers/tmp';
import { TOKENS } from '../fakehub/fixtures';
import { filesUnder } from '../helpers/files';

const ALICE = Object.keys(TOKENS)[0] as string;
const PROBE = new URL('./keychain-probe.ts', import.meta.url).pathname;

function requireTool(name: string, pkg: string): void {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
  } catch {
    throw new Error(`The keychain tests need ${name}. Install it with:  sudo apt-get install -y ${pkg}`);
  }
}

function runProbe(env: Record<string, string>): Promise<string> {
  const script = `echo -n hubcap-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; exec "${process.execPath}" --import tsx "${PROBE}" "${ALICE}"`;
  const p = spawn('dbus-run-session', ['--', 'sh', '-c', script], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  p.stdout.on('data', (d: Buffer) => (out += d.toString()));
  p.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => p.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`probe exited ${code}: ${err}`)))));
}

describe('OS keychain', () => {
  it('stores, survives a restart and deletes tokens in a real Secret Service, encrypted at rest', async () => {
    requireTool('dbus-run-session', 'dbus');
    requireTool('gnome-keyring-daemon', 'gnome-keyring');
    const hub = await fakeHub();
    const home = tmpDir();
    const out = JSON.parse((await runProbe({ HOME: home, HF_ENDPOINT: hub.url })).trim().split('\n').pop() as string) as {
      keychain: { available: boolean };
      afterRestart: { matches: boolean; current: { source: string } };
      afterLogout: { current: string | null; tokens: number };
    };
    expect(out.keychain.available).toBe(true);
    expect(out.afterRestart.matches).toBe(true);
    expect(out.afterRestart.current.source).toBe('keychain');
    expect(out.afterLogout).toEqual({ current: null, tokens: 0 });
    // gnome-keyring's own files hold the token encrypted: no file under HOME has it in clear.
    for (const f of filesUnder(home)) expect(fs.readFileSync(f).includes(ALICE)).toBe(false);
  }, 60_000);

  it('reports no keychain, with the reason, when there is no Secret Service', () => {
    const saved = process.env.DBUS_SESSION_BUS_ADDRESS;
    process.env.DBUS_SESSION_BUS_ADDRESS = 'unix:path=/nonexistent/bus';
    try {
      const service = `Hubcap-test-${process.pid}`;
      const kc = osKeychain(service);
      expect(kc.available).toBe(false);
      expect(kc.reason).toBeTruthy();
      // In plain words on the Account page, not the binding's D-Bus error.
      if (process.platform === 'linux') expect(kc.reason).toBe('no Secret Service, such as GNOME Keyring or KWallet, is running');
      // Not the kernel keyring either, which the binding would fall back to: it lasts until reboot
      // and every process of the session reads it.
      expect(() => kc.set('never-stored', 'hf_secret')).toThrow();
      expect(kc.get('never-stored')).toBeNull();
      const kernel = new Entry(service, 'never-stored', { linux: { store: 'keyutils' } });
      expect(kernel.getPassword() ?? null).toBeNull();
    } finally {
      if (saved === undefined) delete process.env.DBUS_SESSION_BUS_ADDRESS;
      else process.env.DBUS_SESSION_BUS_ADDRESS = saved;
    }
  });
});
