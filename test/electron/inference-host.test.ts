/** The desktop launcher for the inference host, against a stand-in for Electron's utilityProcess. */
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import type { UtilityProcess } from 'electron';
import { utilityHostLauncher, type UtilityProcessApi } from '../../src-main/electron/inference-host';
import { InferenceHost } from '../../src-main/inference/host-client';

class FakeUtility extends EventEmitter {
  pid = 4242;
  stderr = new PassThrough();
  posted: unknown[] = [];
  killed = false;
  postMessage(m: unknown) {
    this.posted.push(m);
  }
  kill() {
    this.killed = true;
    return true;
  }
}

function fakeApi() {
  const children: FakeUtility[] = [];
  const calls: { entry: string; options: { serviceName?: string; env?: Record<string, string> } | undefined }[] = [];
  const api: UtilityProcessApi = {
    fork: vi.fn((entry: string, _args?: string[], options?: { serviceName?: string; env?: Record<string, string> }) => {
      calls.push({ entry, options });
      const child = new FakeUtility();
      children.push(child);
      return child as unknown as UtilityProcess;
    }),
  };
  return { api, children, calls };
}

describe('utilityProcess inference host launcher', () => {
  it('forks the built host entry with a named service and no Hub token in its environment', () => {
    const { api, calls, children } = fakeApi();
    const channel = utilityHostLauncher(api, '/app/out/main/inference-host.js', { HF_TOKEN: 'hf_secret', HUGGING_FACE_HUB_TOKEN: 'hf_other', PATH: '/bin' })();
    expect(calls[0]?.entry).toBe('/app/out/main/inference-host.js');
    expect(calls[0]?.options?.serviceName).toBe('Hubcap inference');
    const env = calls[0]?.options?.env ?? {};
    expect(env.PATH).toBe('/bin');
    expect(JSON.stringify(env)).not.toContain('hf_');
    channel.post({ hello: 1 });
    expect(children[0]?.posted).toEqual([{ hello: 1 }]);
    expect(channel.pid).toBe(4242);
  });

  it('turns the utility process exiting into a crash report with its last stderr line, and rejects pending calls', async () => {
    const { api, children } = fakeApi();
    const crashes: string[] = [];
    const host = new InferenceHost({
      launcher: utilityHostLauncher(api, '/x.js', {}),
      parent: { loadProgress() {}, token() {} },
      onCrash: (m) => crashes.push(m),
    });
    const pending = host.rpc().hardware();
    const child = children[0] as FakeUtility;
    child.stderr.write('GGML_ASSERT(ctx) failed\n');
    await new Promise((r) => setTimeout(r, 10));
    child.emit('exit', 134);
    await expect(pending).rejects.toMatchObject({ code: 'HOST_CRASHED', message: expect.stringMatching(/exited with code 134: GGML_ASSERT\(ctx\) failed/) });
    expect(crashes).toHaveLength(1);
    expect(host.running).toBe(false);
    // The next use starts a fresh process.
    void host.rpc();
    expect(children).toHaveLength(2);
  });

  it('stops the process on purpose without calling it a crash', () => {
    const { api, children } = fakeApi();
    const crashes: string[] = [];
    const host = new InferenceHost({
      launcher: utilityHostLauncher(api, '/x.js', {}),
      parent: { loadProgress() {}, token() {} },
      onCrash: (m) => crashes.push(m),
    });
    void host.rpc();
    host.stop();
    const child = children[0] as FakeUtility;
    expect(child.killed).toBe(true);
    child.emit('exit', 0);
    expect(crashes).toEqual([]);
  });
});
