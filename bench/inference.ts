/**
 * Inference benchmark: tokens/s, time to first token and load time through Hubcap's whole path
 * (the real `hubcap serve`, its inference host process, the contract over the WebSocket, received in
 * a Chromium page) against raw node-llama-cpp in this process, on the same generated ~115M-parameter
 * llama model (F16), with the same context, threads, sampling and seed, in the same run.
 * The two sides run one after the other, never with both models loaded: on a small machine two idle
 * llama.cpp thread pools fight for the cores. Both use the thread count Hubcap chooses by default
 * (src-main/inference/threads.ts), which a sweep then compares with every other count and with
 * node-llama-cpp's own default. Medians are reported.
 * Targets: tokens/s ≥ 97% of raw; time-to-first-token overhead < 25 ms; the default thread count
 * ≥ 0.9× the best one the sweep finds.
 *
 *   npm run build && npx tsx bench/inference.ts [--tokens N] [--rounds R] [--gpu] [--no-sweep]
 *
 * Without --gpu both sides run on the CPU (HUBCAP_INFERENCE_GPU=cpu for the host, gpu:false here);
 * with it both use what node-llama-cpp finds (full offload for a model this size).
 */
import os from 'node:os';
import { defaultThreads } from '../src-main/inference/threads';
import { parseArgs } from 'node:util';
import { getLlama, LlamaChatSession, LlamaLogLevel } from 'node-llama-cpp';
import { PROMPT, rawRound, SAMPLING, SYSTEM, type Round } from './raw-round';
import { BENCH_100M, cachedLlamaModel } from '../test/fixtures/llama-model';
import { launchChromium } from '../test/e2e/chromium';
import { startServe } from '../test/e2e/serve-process';
import { SESSION_PROTOCOL_PREFIX, WS_PATH, WS_PROTOCOL } from '../src-main/contract/wire';

const { values } = parseArgs({
  options: { tokens: { type: 'string' }, rounds: { type: 'string' }, gpu: { type: 'boolean' }, 'no-sweep': { type: 'boolean' } },
});
const TOKENS = Number(values.tokens ?? 128);
const ROUNDS = Number(values.rounds ?? 3);
const GPU = values.gpu === true;
const CONTEXT = 2048;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

console.log(`Generating the benchmark model (${JSON.stringify(BENCH_100M)})…`);
const modelPath = cachedLlamaModel('bench100m', BENCH_100M);

// ---------- raw node-llama-cpp, in this process ----------
const llama = await getLlama({ gpu: GPU ? 'auto' : false, build: 'never', logLevel: LlamaLogLevel.error });
/** What Hubcap's host chooses for this model when the setting is empty (checked against the host below). */
const THREADS = await (async () => {
  const probe = await llama.loadModel({ modelPath });
  const choice = defaultThreads({
    mathCores: llama.cpuMathCores,
    logicalCores: os.availableParallelism(),
    loadAverage: os.loadavg()[0] ?? 0,
    modelBytes: probe.size,
  });
  await probe.dispose();
  console.log(`Hubcap's default: ${choice.threads} thread(s) (${choice.reason})`);
  return choice.threads;
})();

/** Load, one unmeasured round, ROUNDS measured rounds, unload. Run before and after the Hubcap side, to expose order effects. */
async function rawPhase(
  label: string,
  { threads = THREADS as number | 'library-default', rounds: count = ROUNDS, tokens = TOKENS } = {},
): Promise<{ rounds: Round[]; loadMs: number; threads: number }> {
  const t0 = performance.now();
  const model = await llama.loadModel({ modelPath });
  const context = await model.createContext({ contextSize: CONTEXT, ...(threads === 'library-default' ? {} : { threads }) });
  const loadMs = performance.now() - t0;
  const session = new LlamaChatSession({ contextSequence: context.getSequence(), autoDisposeSequence: false });
  console.log(
    `raw (${label}): ${llama.gpu || 'cpu'}, ${model.fileInsights.totalLayers} layers, ${context.contextSize} ctx, threads ${context.currentThreads}, loaded in ${loadMs.toFixed(0)} ms`,
  );
  const round = () => rawRound(session, tokens);
  await round();
  const rounds: Round[] = [];
  for (let i = 0; i < count; i++) {
    rounds.push(await round());
    console.log(
      `raw (${label}) round ${i + 1}: ${rounds.at(-1)?.tps.toFixed(1)} tok/s, ttft ${rounds.at(-1)?.ttft.toFixed(1)} ms, ${rounds.at(-1)?.tokens} tokens`,
    );
  }
  const used = context.currentThreads;
  await context.dispose();
  await model.dispose();
  return { rounds, loadMs, threads: used };
}

// The first load reads the file from disk; "before" is loaded twice so both sides compare warm loads.
await rawPhase('warm-up');
const rawBefore = await rawPhase('before');

// ---------- Hubcap: serve + host + WebSocket + a Chromium page ----------
const serve = await startServe({ env: { HF_HUB_OFFLINE: '1', ...(GPU ? {} : { HUBCAP_INFERENCE_GPU: 'cpu' }) } });
// However the benchmark ends (a failed step throws at top level), the server's process group goes too.
process.on('exit', () => {
  try {
    if (serve.proc.pid !== undefined) process.kill(-serve.proc.pid, 'SIGKILL');
  } catch {
    // already gone
  }
});
const browser = await launchChromium();
const page = await browser.newPage();
await page.goto(serve.url);
await page.waitForLoadState('networkidle');

/** A contract client in the page: birpc frames over the page's own WebSocket, as the renderer sends them. */
await page.evaluate(
  ([wsPath, protocol, sessionPrefix]) => {
    const w = window as unknown as Record<string, unknown>;
    // The session the page took from its address, presented as the renderer does (api/session.ts).
    const session = localStorage.getItem('hubcap.session');
    const ws = new WebSocket(`${location.origin.replace(/^http/, 'ws')}${wsPath}`, [protocol, `${sessionPrefix}${session}`]);
    const pending = new Map<string, (v: unknown) => void>();
    const streams: { at: number; tokens: number; delta: string }[] = [];
    let next = 0;
    ws.onmessage = (e) => {
      const msg = JSON.parse(e.data as string) as { t: string; i?: string; r?: unknown; m?: string; a?: [string, { tokens: number; delta: string }] };
      if (msg.t === 's' && msg.i) pending.get(msg.i)?.(msg.r);
      else if (msg.t === 'q' && msg.m === 'event' && msg.a?.[0] === 'chat.stream')
        streams.push({ at: performance.now(), tokens: msg.a[1].tokens, delta: msg.a[1].delta });
    };
    w.benchOpen = new Promise((r) => (ws.onopen = r));
    w.benchStreams = streams;
    w.benchInvoke = (method: string, input: unknown) =>
      new Promise((resolve) => {
        const i = `b${next++}`;
        pending.set(i, resolve);
        ws.send(JSON.stringify({ t: 'q', i, m: 'invoke', a: [method, input] }));
      });
  },
  [WS_PATH, WS_PROTOCOL, SESSION_PROTOCOL_PREFIX] as const,
);

interface Wire {
  ok: boolean;
  value?: unknown;
  error?: { message: string };
}
async function invoke<T>(method: string, input: unknown): Promise<{ value: T; ms: number }> {
  const r = await page.evaluate(
    async ([m, i]) => {
      const w = window as unknown as { benchOpen: Promise<void>; benchInvoke: (m: string, i: unknown) => Promise<unknown> };
      await w.benchOpen;
      const t0 = performance.now();
      const result = await w.benchInvoke(m as string, i);
      return { result, ms: performance.now() - t0 };
    },
    [method, input] as const,
  );
  const wire = r.result as Wire;
  if (!wire.ok) throw new Error(`${method}: ${wire.error?.message}`);
  return { value: wire.value as T, ms: r.ms };
}

const added = await invoke<{ added: { key: string }[] }>('library.add', { paths: [modelPath] });
const key = added.value.added[0]?.key as string;
// Threads left empty, as a user's default is: the host chooses, and must choose what THREADS says.
const loaded = await invoke<{ model: { contextSize: number; backend: string; threads: number } }>('inference.load', {
  key,
  settings: { contextSize: CONTEXT, threads: null },
});
if (loaded.value.model.threads !== THREADS) throw new Error(`The host chose ${loaded.value.model.threads} threads, the benchmark expected ${THREADS}.`);
console.log(`hubcap: ${loaded.value.model.backend}, ${loaded.value.model.contextSize} ctx, load seen by the page in ${loaded.ms.toFixed(0)} ms`);
const chat = await invoke<{ id: string }>('chat.create', { systemPrompt: SYSTEM });
await invoke('chat.update', { id: chat.value.id, sampling: { ...SAMPLING, maxTokens: TOKENS } });

async function hubcapRound(): Promise<{ tps: number; ttft: number; tokens: number }> {
  const r = await page.evaluate(
    async ([id, prompt]) => {
      const w = window as unknown as { benchInvoke: (m: string, i: unknown) => Promise<unknown>; benchStreams: { at: number; tokens: number }[] };
      w.benchStreams.length = 0;
      // Each round starts from the same history (edit-and-resend of the first question) as the raw side does.
      const c = (await w.benchInvoke('chat.get', { id })) as { value: { messages: { id: string }[] } };
      const first = c.value.messages[0]?.id;
      const start = performance.now();
      await w.benchInvoke('chat.send', first ? { id, text: prompt, editFrom: first } : { id, text: prompt });
      // Wait until the answer is saved (no longer pending).
      for (;;) {
        await new Promise((res) => setTimeout(res, 50));
        const now = (await w.benchInvoke('chat.get', { id })) as { value: { messages: { pending?: boolean }[] } };
        if (!now.value.messages.at(-1)?.pending) break;
      }
      return { start, streams: w.benchStreams.map((s) => ({ at: s.at, tokens: s.tokens })) };
    },
    [chat.value.id, PROMPT] as const,
  );
  const s = r.streams;
  const first = s[0] as { at: number; tokens: number };
  const last = s.at(-1) as { at: number; tokens: number };
  return { tps: ((last.tokens - first.tokens) * 1000) / (last.at - first.at), ttft: first.at - r.start, tokens: last.tokens };
}

const hub: { tps: number; ttft: number; tokens: number }[] = [];
await hubcapRound();
for (let i = 0; i < ROUNDS; i++) {
  hub.push(await hubcapRound());
  console.log(`hubcap round ${i + 1}: ${hub.at(-1)?.tps.toFixed(1)} tok/s, ttft ${hub.at(-1)?.ttft.toFixed(1)} ms, ${hub.at(-1)?.tokens} tokens`);
}
await invoke('inference.unload', {});
const hubLoad2 = (await invoke('inference.load', { key, settings: { contextSize: CONTEXT, threads: null } })).ms;

// The raw side again, now that the Hubcap side has run (its model is unloaded again first).
await invoke('inference.unload', {});
const rawAfter = await rawPhase('after');
const raw = [...rawBefore.rounds, ...rawAfter.rounds];
const rawLoad2 = rawBefore.loadMs;
console.log(
  `raw medians: before ${median(rawBefore.rounds.map((r) => r.tps)).toFixed(1)} tok/s, after ${median(rawAfter.rounds.map((r) => r.tps)).toFixed(1)} tok/s`,
);

const rawTps = median(raw.map((r) => r.tps));
const hubTps = median(hub.map((r) => r.tps));
const rawTtft = median(raw.map((r) => r.ttft));
const hubTtft = median(hub.map((r) => r.ttft));
console.log('\n| measure | raw node-llama-cpp | Hubcap (host + WS + page) | ratio / overhead | target |');
console.log('|---|---|---|---|---|');
console.log(
  `| tokens/s (median; raw ${raw.length} rounds before and after, Hubcap ${hub.length}; ${TOKENS} tokens) | ${rawTps.toFixed(1)} | ${hubTps.toFixed(1)} | ${(hubTps / rawTps).toFixed(3)}× | ≥ 0.97× |`,
);
console.log(`| time to first token | ${rawTtft.toFixed(1)} ms | ${hubTtft.toFixed(1)} ms | +${(hubTtft - rawTtft).toFixed(1)} ms | < 25 ms |`);
console.log(`| model load (warm file cache) | ${rawLoad2.toFixed(0)} ms | ${hubLoad2.toFixed(0)} ms | ${(hubLoad2 / rawLoad2).toFixed(2)}× | — |`);

await browser.close();
await serve.stop();

// ---------- the default thread count against every other, and node-llama-cpp's own default ----------
if (!values['no-sweep']) {
  const SWEEP_TOKENS = Math.min(TOKENS, 48);
  const results: { label: string; threads: number; tps: number }[] = [];
  for (let t = 1; t <= Math.max(os.availableParallelism(), llama.cpuMathCores); t++) {
    const r = await rawPhase(`sweep ${t}`, { threads: t, rounds: ROUNDS, tokens: SWEEP_TOKENS });
    results.push({ label: `${t} thread${t === 1 ? '' : 's'}`, threads: r.threads, tps: median(r.rounds.map((x) => x.tps)) });
  }
  const library = await rawPhase('node-llama-cpp default', { threads: 'library-default', rounds: 1, tokens: SWEEP_TOKENS });
  const best = results.reduce((a, b) => (b.tps > a.tps ? b : a));
  const chosen = results.find((r) => r.threads === THREADS) as { tps: number };
  console.log('\n| threads | tokens/s (median) |');
  console.log('|---|---|');
  for (const r of results)
    console.log(`| ${r.label}${r.threads === THREADS ? " (Hubcap's default)" : ''}${r === best ? ' (best)' : ''} | ${r.tps.toFixed(1)} |`);
  console.log(`| node-llama-cpp's default (${library.threads} threads) | ${median(library.rounds.map((x) => x.tps)).toFixed(1)} |`);
  console.log(`\nHubcap's default is ${(chosen.tps / best.tps).toFixed(3)}× the best thread count (target ≥ 0.9×).`);
}
await llama.dispose();
