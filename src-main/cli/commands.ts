/**
 * The `hubcap` command table, in the order `--help` lists it. A new command is one entry (see
 * `command.ts`: name, options, usage lines, handler) in its own file, and one line here. The
 * entries live in `table/` and import their handlers only when they run (`handler` in command.ts),
 * so this table loads no zod, no @huggingface/hub and no core: `--version` and `--help` stay cheap.
 */
import { appVersion } from '../base/versions';
import { apiCommand } from './table/api';
import { appsCommands } from './table/apps';
import { cacheCommands } from './table/cache';
import { command, type CliCommand } from './command';
import { downloadCommand } from './table/download';
import { exportCommand } from './table/export';
import { accountCommands } from './login';
import { mirrorCommand } from './table/mirror';
import { serveCommand } from './table/serve';
import { uploadCommand } from './table/upload';
import { updatesCommands } from './table/updates';

const versionCommand = command({
  name: '--version',
  aliases: ['-v'],
  options: {},
  positionals: false,
  usage: [['']],
  run: async () => {
    process.stdout.write(`${appVersion}\n`);
    return 0;
  },
});

export const COMMANDS: readonly CliCommand[] = [
  serveCommand,
  downloadCommand,
  ...cacheCommands,
  ...appsCommands,
  exportCommand,
  ...updatesCommands,
  uploadCommand,
  apiCommand,
  mirrorCommand,
  ...accountCommands,
  versionCommand,
];
