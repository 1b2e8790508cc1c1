/**
 * `hubcap login` / `whoami` / `logout` as real processes: the token is read from standard input
 * (never an argument), checked with the Hub, kept in a real OS keychain (gnome-keyring in its own
 * D-Bus session), never printed; without a keychain, login refuses and says to use HF_TOKEN.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fakeHub } from '../helpers/hub';
import { collect, startCli } from '../helpers/cli';
import { tmpDir } from '../helpers/tmp';

const ENTRY = new URL('../../src-main/cli/hubcap.ts', import.meta.url).pathname;
const BOB = 'hf_bob_write_token_00000000000000000';

function needTools(): void {
  for (const tool of ['dbus-run-session', 'gnome-keyring-daemon']) {
    const found = (process.env.PATH ?? '').split(':').some((dir) => fs.existsSync(path.join(dir, tool)));
    if (!found) throw new Error(`${tool} is missing: apt-get install dbus gnome-keyring (a real Secret Service for the keychain tests)`);
  }
}

describe('hubcap login', () => {
  it('keeps a piped token in the keychain, says who it is, never prints it, and forgets it on logout', async () => {
    needTools();
    const hub = await fakeHub();
    const home = tmpDir();
    const out = (n: string) => path.join(home, `${n}.out`);
    const hc = `"${process.execPath}" --import tsx "${ENTRY}"`;
    const script = [
      'echo -n hubcap-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1',
      `printf '%s\\n' "$TOKEN" | ${hc} login >"${out('login')}" 2>&1; echo "rc=$?" >>"${out('login')}"`,
      `${hc} whoami >"${out('whoami')}" 2>&1`,
      `${hc} logout >"${out('logout')}" 2>&1`,
      `${hc} whoami >"${out('after')}" 2>&1`,
    ].join('\n');
    const p = spawn('dbus-run-session', ['--', 'sh', '-c', script], {
      env: { PATH: process.env.PATH, HOME: home, HUBCAP_DATA_DIR: path.join(home, 'data'), HF_HOME: path.join(home, 'hf'), HF_ENDPOINT: hub.url, TOKEN: BOB },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const done = await collect(p);
    const read = (n: string) => fs.readFileSync(out(n), 'utf8');
    expect(read('login'), done.stderr).toMatch(/Signed in as bob \(write\) with hf_…0000, from the OS keychain\.\nrc=0/);
    expect(read('whoami')).toMatch(/Signed in as bob \(write\)/);
    expect(read('logout')).toMatch(/Not signed in/);
    expect(read('after')).toMatch(/Not signed in/);
    for (const n of ['login', 'whoami', 'logout', 'after']) expect(read(n)).not.toContain(BOB);
    // Never written to a file of ours.
    const files = fs.readdirSync(home, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
    for (const f of files) expect(fs.readFileSync(path.join(f.parentPath, f.name), 'utf8')).not.toContain(BOB);
  }, 120_000);

  it('without a keychain, refuses and says to give HF_TOKEN instead (a session token would be gone at exit)', async () => {
    const hub = await fakeHub();
    const home = tmpDir();
    // No D-Bus session: no Secret Service.
    const r = await collect(
      startCli(['login'], { HOME: home, HF_HOME: path.join(home, 'hf'), HF_ENDPOINT: hub.url, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent' }),
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no OS keychain here .*HF_TOKEN=hf_…/);
  }, 60_000);
});
