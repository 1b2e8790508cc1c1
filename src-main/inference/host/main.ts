/**
 * Entry of the inference host process: an Electron utilityProcess on desktop, a Node child process
 * under `hubcap serve` and in tests. It talks to the core over the process's message port only.
 */
import { createBirpc, type BirpcReturn } from 'birpc';
import { Engine } from './engine';
import { processEnv, readLocalEnv } from '../../hub/hf-env';
import { PARENT_EVENTS, type HostFunctions, type ParentFunctions } from '../host-protocol';

interface ParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
}

// Electron gives a utility process `process.parentPort`; a Node child has `process.send`.
const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;

const channel = parentPort
  ? { post: (m: unknown) => parentPort.postMessage(m), on: (fn: (m: unknown) => void) => parentPort.on('message', (e) => fn(e.data)) }
  : {
      post: (m: unknown) => {
        if (process.connected) process.send?.(m);
      },
      on: (fn: (m: unknown) => void) => process.on('message', fn),
    };

if (!parentPort) {
  if (!process.send) {
    process.stderr.write('The inference host is started by Hubcap, not by hand.\n');
    process.exit(2);
  }
  // The core went away (crashed or killed): do not linger holding a model in memory.
  process.on('disconnect', () => process.exit(0));
}

const parent: ParentFunctions = {
  loadProgress: (progress) => void rpc.loadProgress(progress),
  token: (requestId, delta, tokens) => void rpc.token(requestId, delta, tokens),
};
const engine = new Engine(parent, { cpuOnly: readLocalEnv(processEnv()).hubcap.inferenceCpuOnly });
const functions: HostFunctions = {
  hardware: () => engine.hardware(),
  fit: (path, settings, sequences) => engine.fit(path, settings, sequences),
  load: (request) => engine.load(request),
  unload: () => engine.unload(),
  generate: (request) => engine.generate(request),
  complete: (request) => engine.complete(request),
  embed: (texts) => engine.embed(texts),
  abort: (requestId) => engine.abort(requestId),
};
const rpc: BirpcReturn<ParentFunctions, HostFunctions> = createBirpc<ParentFunctions, HostFunctions>(functions, {
  post: channel.post,
  on: channel.on,
  eventNames: PARENT_EVENTS,
  timeout: -1,
});
