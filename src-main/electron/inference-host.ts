/**
 * The inference host on desktop: an Electron utilityProcess (a Node process Electron manages, which
 * works with the runAsNode fuse off, unlike forking the app binary). Same HostChannel as the Node
 * child under serve, so the core cannot tell them apart.
 */
import type { UtilityProcess } from 'electron';
import { hostEnv, tailOf, type HostLauncher } from '../inference/host-client';

export interface UtilityProcessApi {
  fork(
    modulePath: string,
    args?: string[],
    options?: { serviceName?: string; stdio?: 'pipe' | 'ignore' | 'inherit'; env?: Record<string, string> },
  ): UtilityProcess;
}

export function utilityHostLauncher(utilityProcess: UtilityProcessApi, entry: string, env: Readonly<Record<string, string | undefined>>): HostLauncher {
  return () => {
    const child = utilityProcess.fork(entry, [], { serviceName: 'Hubcap inference', stdio: 'pipe', env: hostEnv(env) });
    const stderrTail = tailOf(child.stderr);
    let exited = false;
    const exitListeners: ((exit: { code: number | null; signal: string | null }) => void)[] = [];
    child.on('exit', (code) => {
      exited = true;
      // A utility process reports only a code; a native crash shows as a non-zero one.
      for (const l of exitListeners) l({ code, signal: null });
    });
    return {
      get pid() {
        return child.pid;
      },
      post: (m) => {
        if (!exited) child.postMessage(m);
      },
      onMessage: (fn) => child.on('message', fn),
      onExit: (fn) => exitListeners.push(fn),
      stderrTail,
      kill: () => {
        if (!exited) child.kill();
      },
    };
  };
}
