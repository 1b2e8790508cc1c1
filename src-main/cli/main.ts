/**
 * The `hubcap` command line. Plain Node: it never imports electron, so it runs on servers and pods
 * without a desktop. Commands share the same core as the desktop app; which ones there are, how
 * each is parsed and what `--help` says all come from the table in `commands.ts`.
 */
import { COMMANDS } from './commands';
import { findCommand, groupOf, parse, usageLines, UsageError, type CliCommand } from './command';

const FOOTER = '\nHonours HF_ENDPOINT, HF_HUB_CACHE / HF_HOME, HF_HUB_OFFLINE, HF_TOKEN and the token file.\n';

/** The usage of some entries of the table (all of them by default). */
export function usage(entries: readonly CliCommand[] = COMMANDS): string {
  return `Usage:\n${usageLines(entries)}${entries === COMMANDS ? FOOTER : ''}`;
}

export async function main(argv: string[]): Promise<number> {
  const [word] = argv;
  if (word === undefined || word === '--help' || word === '-h' || word === 'help') {
    process.stdout.write(usage());
    return word === undefined ? 1 : 0;
  }
  const found = findCommand(COMMANDS, argv);
  // What to print with a usage error: the command's own lines, its group's, or the whole table.
  const lines = found ? [found.entry] : groupOf(COMMANDS, word);
  try {
    if (!found) {
      const group = groupOf(COMMANDS, word);
      if (group.length) throw new UsageError(`usage: hubcap ${word} ${group.map((c) => c.name.slice(word.length + 1)).join('|')}`);
      throw new UsageError(`unknown command ${JSON.stringify(word)}`);
    }
    const { args, help } = parse(found.entry, found.rest);
    if (help) {
      process.stdout.write(usage([found.entry]));
      return 0;
    }
    return await found.entry.run(args, found.name);
  } catch (error) {
    const message = (error as Error).message.split('\n')[0];
    process.stderr.write(`hubcap: ${message}\n`);
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS'))
      process.stderr.write(usage(lines.length ? lines : COMMANDS));
    return error instanceof UsageError ? 2 : 1;
  }
}
