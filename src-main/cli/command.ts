/**
 * One `hubcap` command as an entry of the table (`commands.ts`): its name, its options, its usage
 * lines and its handler. Parsing and `--help` both come from the entry, so a flag cannot be parsed
 * without being documented, nor documented without being parsed.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export type CommandOptions = NonNullable<ParseArgsConfig['options']>;

/** What node's parseArgs gives for these options: values typed per option, positionals as strings. */
export type Parsed<O extends CommandOptions> = ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>>;

/** A usage line: the synopsis (after `hubcap NAME` on the first line) and what it means. */
export type UsageLine = readonly [synopsis: string, meaning?: string];

export interface CliCommand<O extends CommandOptions = CommandOptions> {
  /** What follows `hubcap`: one word, or a group and a word (`cache ls`). */
  name: string;
  /** Other spellings (`-v` for `--version`). */
  aliases?: readonly string[];
  /** node:util parseArgs options; `--help`/`-h` is added to every command. */
  options: O;
  /** Whether it takes positional arguments; without, one is a usage error. */
  positionals: boolean;
  /** First line: the arguments after the name; then continuation lines. */
  usage: readonly UsageLine[];
  /** Runs the parsed command; returns the exit status. `name` is the spelling used (for aliases). */
  run(args: Parsed<O>, name: string): Promise<number>;
}

/** An entry, its handler's arguments typed from its own options. */
export function command<const O extends CommandOptions>(entry: CliCommand<O>): CliCommand {
  // The table holds entries of different option types; each entry's handler only ever receives
  // what its own options parse to (see `parse`), so widening here is sound.
  return entry as unknown as CliCommand;
}

/**
 * A handler imported when its command runs (`run: handler(async () => (await import('../download')).download)`):
 * the table, and so `--version`, `--help` and a usage error, load none of what handlers import
 * (zod through the contract, @huggingface/hub, the core): ~100 module files at every start.
 */
export function handler<A>(load: () => Promise<(args: A, name: string) => Promise<number>>): (args: A, name: string) => Promise<number> {
  return async (args, name) => (await load())(args, name);
}

/** A mistake in how the command was written: exit status 2 and the usage. */
export class UsageError extends Error {}

const COLUMN = 47;

/** The usage lines of some entries, aligned as one block. */
export function usageLines(entries: readonly CliCommand[]): string {
  const out: string[] = [];
  for (const entry of entries) {
    entry.usage.forEach(([synopsis, meaning], i) => {
      const left = i === 0 ? `hubcap ${entry.name}${synopsis ? ` ${synopsis}` : ''}` : `       ${synopsis}`;
      out.push(`  ${meaning ? `${left.padEnd(COLUMN - 1)} ${meaning}` : left}`.trimEnd());
    });
  }
  return `${out.join('\n')}\n`;
}

/** The entry argv names (longest name first: `cache ls` before `cache`), and the arguments after it. */
export function findCommand(table: readonly CliCommand[], argv: readonly string[]): { entry: CliCommand; name: string; rest: string[] } | null {
  for (const words of [2, 1]) {
    const name = argv.slice(0, words).join(' ');
    if (argv.length < words) continue;
    const entry = table.find((c) => c.name === name || c.aliases?.includes(name));
    if (entry) return { entry, name, rest: argv.slice(words) };
  }
  return null;
}

/** The entries of a group (`cache` → `cache ls`, `cache rm`…), empty when `word` is not one. */
export function groupOf(table: readonly CliCommand[], word: string | undefined): CliCommand[] {
  return word === undefined ? [] : table.filter((c) => c.name.startsWith(`${word} `));
}

/** argv parsed by the entry's own options; `help` is true when `--help`/`-h` was given. */
export function parse(entry: CliCommand, argv: string[]): { args: Parsed<CommandOptions>; help: boolean } {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { ...entry.options, help: { type: 'boolean', short: 'h' } },
    allowPositionals: entry.positionals,
    strict: true,
  });
  const { help, ...own } = values;
  return { args: { values: own, positionals } as Parsed<CommandOptions>, help: help === true };
}
