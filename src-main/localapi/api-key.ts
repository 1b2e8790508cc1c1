/**
 * The local API's key. Every client (Open WebUI, Continue, the openai SDKs) sends *some* key, so one
 * is always required: `HUBCAP_API_KEY` when set (pods and containers, where there is no keychain),
 * else one generated once and kept in the OS keychain like Hub tokens, else one for this run only.
 * How a key is made, kept, rotated and masked is base/keyed-server.ts's, shared with the mirror.
 */
import { maskKey, type ServerKey, type ServerKeySpec } from '../base/keyed-server';

export const API_KEY: ServerKeySpec<'HUBCAP_API_KEY'> = { account: 'local-api-key', envVar: 'HUBCAP_API_KEY' };

export type ApiKey = ServerKey<'HUBCAP_API_KEY'>;

export { maskKey };
