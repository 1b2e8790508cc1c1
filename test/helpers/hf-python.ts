/**
 * The real second writer of today's cache: a Python with huggingface_hub 2.0.0 and hf_xet, in the
 * repo's `.venv-hf2` (made by `.ci/run`), or wherever HUBCAP_HF2_PYTHON points. Missing, it fails
 * with the install hint: these tests never skip.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { collect, type CliResult } from './process';

const REPO = new URL('../../', import.meta.url).pathname;
export const HF2_HINT = 'python3 -m venv .venv-hf2 && .venv-hf2/bin/pip install huggingface_hub==2.0.0';

let checked: string | null = null;

/** The Python to run, checked once to import huggingface_hub 2.0.0 and hf_xet. */
export function hfPython(): string {
  if (checked) return checked;
  const python = process.env.HUBCAP_HF2_PYTHON ?? `${REPO}.venv-hf2/bin/python`;
  const probe = fs.existsSync(python)
    ? spawnSync(python, ['-c', 'import huggingface_hub, hf_xet; print(huggingface_hub.__version__)'], { encoding: 'utf8' })
    : null;
  if (probe?.status !== 0 || probe.stdout.trim() !== '2.0.0') {
    const why = probe
      ? probe.stdout.trim()
        ? `it has huggingface_hub ${probe.stdout.trim()}`
        : probe.stderr.trim().split('\n').pop()
      : `${python} does not exist`;
    throw new Error(`These tests need huggingface_hub 2.0.0 with hf_xet (${why}). In the repo root run:  ${HF2_HINT}`);
  }
  return (checked = python);
}

export type PyResult = CliResult;

/** Runs a Python snippet (or a script with args) with the given environment added. */
export function runHfPython(args: string[], env: Record<string, string> = {}, timeoutMs = 60_000): Promise<PyResult> {
  return collect(spawn(hfPython(), args, { env: { ...process.env, HF_HUB_DISABLE_TELEMETRY: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] }), timeoutMs);
}

/**
 * huggingface_hub 1.x, for clients that have not moved to 2.0 (the mirror's, #28.5): `.venv-hf1`
 * (made by `.ci/run` like `.venv-hf2`) or wherever HUBCAP_HF1_PYTHON points. Missing, it fails with
 * the install hint.
 */
export const HF1_HINT = "python3 -m venv .venv-hf1 && .venv-hf1/bin/pip install 'huggingface_hub<2'";

let checked1: string | null = null;

export function hf1Python(): string {
  if (checked1) return checked1;
  const python = process.env.HUBCAP_HF1_PYTHON ?? `${REPO}.venv-hf1/bin/python`;
  const probe = fs.existsSync(python) ? spawnSync(python, ['-c', 'import huggingface_hub; print(huggingface_hub.__version__)'], { encoding: 'utf8' }) : null;
  const version = probe?.status === 0 ? probe.stdout.trim() : '';
  if (!version.startsWith('1.')) {
    const why = probe ? (version ? `it has huggingface_hub ${version}` : probe.stderr.trim().split('\n').pop()) : `${python} does not exist`;
    throw new Error(`These tests need huggingface_hub 1.x (${why}). In the repo root run:  ${HF1_HINT}`);
  }
  return (checked1 = python);
}

/** Runs huggingface_hub 1.x with the given environment added. */
export function runHf1Python(args: string[], env: Record<string, string> = {}, timeoutMs = 60_000): Promise<PyResult> {
  return collect(spawn(hf1Python(), args, { env: { ...process.env, HF_HUB_DISABLE_TELEMETRY: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] }), timeoutMs);
}
