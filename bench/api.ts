/**
 * Local API benchmark: tokens/s and time to first token through the OpenAI-compatible API (the
 * official `openai` SDK streaming from Hubcap's server, the inference host process behind it)
 * against raw node-llama-cpp in this process, on the same generated ~115M-parameter llama model
 * with the same context, threads, sampling and seed, bracketed (raw, API, raw) and never with both
 * loaded. Then 4 concurrent streaming clients on one model: aggregate tokens/s, each client's
 * share, and p95 time to first token (four sequences, batched: the local API default).
 * Targets: API tokens/s ≥ 0.97× raw; time-to-first-token overhead < 25 ms.
 *
 *   npx tsx bench/api.ts [--tokens N] [--rounds R] [--parallel auto|N (the API's sequences)]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import OpenAI from 'openai';
import { getLlama, LlamaChatSession, LlamaLogLevel } from 'node-llama-cpp';
import { PROMPT, rawRound, SAMPLING, SYSTEM, type Round } from './raw-round';
import { createCore } from '../src-main/core/core';
import { nodeHostLauncher } from '../src-main/inference/host-client';
import { defaultThreads } from '../src-main/inference/threads';
import { startLocalApi } from '../src-main/localapi/server';
import { confBackend } from '../src-main/settings/conf-backend';
import { BENCH_100M, cachedLlamaModel } from '../test/fixtures/llama-model';

const { values } = parseArgs({ options: { tokens: { type: 'string' }, rounds: { type: 'string' }, parallel: { type: 'string' } } });
const TOKENS = Number(values.tokens ?? 128);
const ROUNDS = Number(values.rounds ?? 3);
const CONTEXT = 2048;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(xs.length * 0.95) - 1)] as number;

console.log(`Generating the benchmark model (${JSON.stringify(BENCH_100M)})…`);
const modelPath = cachedLlamaModel('bench100m', BENCH_100M);
const llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error });
const probe = await llama.loadModel({ modelPath });
const THREADS = defaultThreads({
  mathCores: llama.cpuMathCores,
  logicalCores: os.availableParallelism(),
  loadAverage: os.loadavg()[0] ?? 0,
  modelBytes: probe.size,
}).threads;
await probe.dispose();

async function rawPhase(label: string): Promise<Round[]> {
  const model = await llama.loadModel({ modelPath });
  const context = await model.createContext({ contextSize: CONTEXT, threads: THREADS });
  const session = new LlamaChatSession({ contextSequence: context.getSequence(), autoDisposeSequence: false });
  const round = () => rawRound(session, TOKENS);
  await round();
  const rounds: Round[] = [];
  for (let i = 0; i < ROUNDS; i++) rounds.push(await round());
  console.log(`raw (${label}): ${rounds.map((r) => `${r.tps.toFixed(1)} tok/s ttft ${r.ttft.toFixed(1)} ms`).join(' | ')}`);
  await context.dispose();
  await model.dispose();
  return rounds;
}

const before = await rawPhase('before');

// ---------- Hubcap: the local API in front of the inference host ----------
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'hubcap-bench-api-'));
const core = createCore({
  transport: 'cli',
  env: { HF_HUB_OFFLINE: '1' },
  homeDir: home,
  platform: process.platform,
  dataDir: path.join(home, 'data'),
  settingsBackend: confBackend,
  probeHubOnStart: false,
  inferenceLauncher: nodeHostLauncher(path.resolve(import.meta.dirname, '../src-main/inference/host/main.ts'), {
    env: { ...process.env, HUBCAP_INFERENCE_GPU: 'cpu' },
    execArgv: ['--import', 'tsx'],
  }),
  inferenceHostIdleMs: 600_000,
});
await core.handlers['settings.update']({ loadDefaults: { gpuLayers: 'auto', contextSize: CONTEXT, batchSize: null, threads: THREADS }, unloadAfterMinutes: 0 });
await core.library.add([modelPath]);
const KEY = 'hc-bench-key-000000000000';
const api = await startLocalApi({
  inference: core.inference,
  items: () => core.library.items(),
  key: () => KEY,
  host: '127.0.0.1',
  port: 0,
  maxQueue: 16,
  parallel: values.parallel === undefined || values.parallel === 'auto' ? 'auto' : Number(values.parallel),
});
const client = new OpenAI({ baseURL: api.url, apiKey: KEY, maxRetries: 0, timeout: 600_000 });
const model = path.basename(modelPath);
const body = {
  model,
  messages: [
    { role: 'system' as const, content: SYSTEM },
    { role: 'user' as const, content: PROMPT },
  ],
  temperature: SAMPLING.temperature,
  top_p: SAMPLING.topP,
  top_k: SAMPLING.topK,
  min_p: SAMPLING.minP,
  repeat_penalty: SAMPLING.repeatPenalty,
  seed: SAMPLING.seed,
  max_tokens: TOKENS,
  stream: true as const,
  stream_options: { include_usage: true },
};

async function apiRound(): Promise<Round & { wall: number }> {
  const start = performance.now();
  let first = 0;
  let last = 0;
  let tokens = 0;
  const stream = await client.chat.completions.create(body);
  for await (const c of stream) {
    if (c.choices[0]?.delta.content) {
      last = performance.now();
      if (!first) first = last;
    }
    if (c.usage) tokens = c.usage.completion_tokens;
  }
  return { tps: ((tokens - 1) * 1000) / (last - first), ttft: first - start, tokens, wall: performance.now() - start };
}

await apiRound(); // loads the model on demand, warms up
const apiRounds: Round[] = [];
for (let i = 0; i < ROUNDS; i++) apiRounds.push(await apiRound());
console.log(`api: ${apiRounds.map((r) => `${r.tps.toFixed(1)} tok/s ttft ${r.ttft.toFixed(1)} ms`).join(' | ')}`);

// 4 clients at once on one model.
const t0 = performance.now();
const clients = await Promise.all([0, 1, 2, 3].map(() => apiRound()));
const wall = (performance.now() - t0) / 1000;
const totalTokens = clients.reduce((a, c) => a + c.tokens, 0);
const perClient = clients.map((c) => c.tokens / (c.wall / 1000));
await api.close();
await core.close();
fs.rmSync(home, { recursive: true, force: true });

const after = await rawPhase('after');
const raw = [...before, ...after];
const rawTps = median(raw.map((r) => r.tps));
const rawTtft = median(raw.map((r) => r.ttft));
const apiTps = median(apiRounds.map((r) => r.tps));
const apiTtft = median(apiRounds.map((r) => r.ttft));
const report = {
  model: model,
  tokens: TOKENS,
  rounds: ROUNDS,
  threads: THREADS,
  rawTokensPerSecond: +rawTps.toFixed(1),
  apiTokensPerSecond: +apiTps.toFixed(1),
  apiVsRaw: +(apiTps / rawTps).toFixed(3),
  rawTtftMs: +rawTtft.toFixed(1),
  apiTtftMs: +apiTtft.toFixed(1),
  ttftOverheadMs: +(apiTtft - rawTtft).toFixed(1),
  concurrent4: {
    aggregateTokensPerSecond: +(totalTokens / wall).toFixed(1),
    slowestClientShare: +(Math.min(...perClient) / Math.max(...perClient)).toFixed(3),
    p95TtftMs: +p95(clients.map((c) => c.ttft)).toFixed(0),
  },
  cores: os.availableParallelism(),
  node: process.version,
};
console.log(JSON.stringify(report, null, 2));
console.log(`api/raw tokens/s: ${report.apiVsRaw} (target >= 0.97); ttft overhead ${report.ttftOverheadMs} ms (target < 25)`);
process.exit(0);
