/** Python huggingface_hub's boolean env parsing: true for 1/ON/YES/TRUE (any case). */
export function envFlag(value: string | undefined): boolean {
  return value !== undefined && ['1', 'ON', 'YES', 'TRUE'].includes(value.trim().toUpperCase());
}

/** HF_HUB_OFFLINE (or the legacy TRANSFORMERS_OFFLINE) forces offline mode. */
export function offlineFromEnv(env: Readonly<Record<string, string | undefined>>): boolean {
  return envFlag(env.HF_HUB_OFFLINE) || envFlag(env.TRANSFORMERS_OFFLINE);
}
