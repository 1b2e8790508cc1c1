/**
 * The `hubcap` command table, in the order `--help` lists it. A new command is one entry (see
 * `command.ts`: name, options, usage lines, handler) in its own file, and one line here.
 */
import { appVersion } from '../base/versions';
import { apiCommand } from './api';
import { appsCommands } from './apps';
import { cacheCommands } from './cache';
import { command, type CliCommand } from './command';
import { downloadCommand } from './download';
import { exportCommand } from './export';
import { accountCommands } from './login';
import { mirrorCommand } from './mirror';
import { serveCommand } from './serve';
import { uploadCommand } from './upload';
import { updatesCommands } from './updates';

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
