/**
 * `hubcap login`, `hubcap logout`, `hubcap whoami`: the Account page for a terminal. The token is
 * read from standard input (typed without echo, or piped), never from the command line, where any
 * user could read it in the process list; it goes to the OS keychain through the same
 * `account.login` the app uses (checked with the Hub first), never to a file. Without a keychain
 * (a headless box) it says to give the token as HF_TOKEN instead, since a session-only token would
 * be gone when the command ends.
 */
import type { AccountView } from '../contract/account';
import { call, cliCore } from './context';
import { command, type CommandOptions, type Parsed } from './command';

/** The token: typed (no echo) on a terminal, else the whole of standard input. Bounded. */
async function readToken(): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    let text = '';
    for await (const chunk of stdin) {
      text += (chunk as Buffer).toString('utf8');
      if (text.length > 4096) throw new Error('that is not a token (too long)');
    }
    return text.trim();
  }
  process.stderr.write('Hugging Face token (hf_…; input hidden): ');
  stdin.setRawMode(true);
  stdin.resume();
  try {
    return await new Promise<string>((resolve, reject) => {
      let typed = '';
      const onData = (d: Buffer) => {
        for (const ch of d.toString('utf8')) {
          if (ch === '\r' || ch === '\n') {
            stdin.off('data', onData);
            resolve(typed.trim());
            return;
          }
          if (ch === '\u0003') {
            stdin.off('data', onData);
            reject(new Error('cancelled'));
            return;
          }
          if (ch === '\u007f') typed = typed.slice(0, -1);
          else if (typed.length < 4096) typed += ch;
        }
      };
      stdin.on('data', onData);
    });
  } finally {
    stdin.setRawMode(false);
    stdin.pause();
    process.stderr.write('\n');
  }
}

function describe(view: AccountView): string {
  const c = view.current;
  if (!c) return 'Not signed in (anonymous: public repos only).';
  const who = c.info ? `${c.info.user} (${c.info.role === 'fineGrained' ? 'fine-grained' : c.info.role})` : 'an unchecked token';
  const from = {
    HF_TOKEN: 'HF_TOKEN',
    HUGGING_FACE_HUB_TOKEN: 'HUGGING_FACE_HUB_TOKEN',
    keychain: 'the OS keychain',
    session: 'this session',
    'token-file': view.tokenFile.path,
  }[c.source];
  return `Signed in as ${who} with ${c.masked}, from ${from}.`;
}

const NAME = { name: { type: 'string' } } satisfies CommandOptions;
const JSON_OUTPUT = { json: { type: 'boolean' } } satisfies CommandOptions;

export const accountCommands = [
  command({
    name: 'login',
    options: { ...NAME, ...JSON_OUTPUT },
    positionals: true,
    usage: [['[--name N] [--json]', 'Keep a Hub token in the OS keychain (read from stdin, never an argument)']],
    run: (args) => account('login', args),
  }),
  command({ name: 'logout', options: JSON_OUTPUT, positionals: true, usage: [['[NAME] [--json]', 'Forget it']], run: (args) => account('logout', args) }),
  command({
    name: 'whoami',
    options: JSON_OUTPUT,
    positionals: true,
    usage: [['[--json]', 'Say which token is in use']],
    run: (args) => account('whoami', args),
  }),
];

async function account(
  which: 'login' | 'logout' | 'whoami',
  { values, positionals }: { values: Partial<Parsed<typeof NAME & typeof JSON_OUTPUT>['values']>; positionals: string[] },
): Promise<number> {
  const core = await cliCore({});
  try {
    let view = await call(core, 'account.get', {});
    if (which === 'login') {
      if (!view.keychain.available) {
        process.stderr.write(
          `hubcap: no OS keychain here (${view.keychain.reason ?? 'unavailable'}), and Hubcap never writes tokens to a file: give the token as HF_TOKEN=hf_… to each command (or from your secret manager).\n`,
        );
        return 1;
      }
      const token = await readToken();
      view = await call(core, 'account.login', { token, ...(values.name ? { name: values.name } : {}) });
    } else if (which === 'logout') {
      const name = positionals[0] ?? view.tokens.find((t) => t.active)?.name;
      if (!name) {
        process.stdout.write('No token stored in the keychain: nothing to sign out of.\n');
        return 0;
      }
      view = await call(core, 'account.logout', { name });
    }
    if (values.json) process.stdout.write(`${JSON.stringify({ current: view.current, tokens: view.tokens })}\n`);
    else {
      process.stdout.write(`${describe(view)}\n`);
      if (view.envToken && which !== 'whoami') process.stdout.write(`Note: ${view.envToken.name} is set and wins over the keychain while it is.\n`);
    }
    return 0;
  } finally {
    await core.close();
  }
}
