/**
 * Run by keychain.test.ts inside `dbus-run-session` with gnome-keyring-daemon: exercises the real
 * OS keychain through AccountService and prints what it saw as one JSON line.
 */
import os from 'node:os';
import { readHfEnv } from '../../src-main/hub/hf-env';
import { AccountService } from '../../src-main/account/account';
import { osKeychain } from '../../src-main/account/keychain';

const token = process.argv[2] as string;
const service = `Hubcap-test-${process.pid}`;
const make = () =>
  new AccountService({
    keychain: osKeychain(service),
    hf: readHfEnv({ HF_HOME: `${os.homedir()}/hf` }, os.homedir()),
    endpoint: process.env.HF_ENDPOINT as string,
    offline: () => false,
    onChange: () => {},
  });
const first = make();
const out: Record<string, unknown> = { keychain: first.view().keychain };
if (first.view().keychain.available) {
  await first.login(token);
  // A new service and a new keychain handle: what persisted in the Secret Service.
  const second = make();
  out.afterRestart = { current: second.view().current, matches: second.currentToken() === token };
  second.logout(second.view().tokens[0]?.name as string);
  out.afterLogout = { current: make().currentToken(), tokens: make().view().tokens.length };
}
process.stdout.write(`${JSON.stringify(out)}\n`);
