/**
 * The environment the benchmarks' clients run in: this process's, less what a user's machine
 * would not have. This workplace sets NODE_EXTRA_CA_CERTS to the whole system CA bundle, and
 * Node 20 reads and parses that file at every start before any script runs: `node -e 0` takes
 * 0.11 s with it and 0.03 s without, and a 16 MiB `hubcap download` 0.12 s longer — a third of
 * the run, paid by every Node client (Hubcap, the Node floor) and by no other (curl, aria2c,
 * Python). No client here uses TLS (the fake Hub is plain HTTP on loopback). Dropped unless
 * HUBCAP_BENCH_KEEP_NODE_CA=1, which measures what this machine's own Node costs.
 */
export function clientEnv(): Record<string, string> {
  const env = { ...(process.env as Record<string, string>) };
  if (process.env.HUBCAP_BENCH_KEEP_NODE_CA !== '1') delete env.NODE_EXTRA_CA_CERTS;
  return env;
}

/** One line for a benchmark's output: whether Node's clients paid for the CA bundle. */
export function clientEnvNote(): string {
  const kept = process.env.HUBCAP_BENCH_KEEP_NODE_CA === '1' && process.env.NODE_EXTRA_CA_CERTS;
  return kept
    ? `Node clients run WITH NODE_EXTRA_CA_CERTS=${process.env.NODE_EXTRA_CA_CERTS}`
    : 'Node clients run without NODE_EXTRA_CA_CERTS (bench/client-env.ts)';
}
