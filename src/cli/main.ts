// `twelve` CLI dispatcher: finds the longest matching command path and runs it; usage errors exit 2.
import { type CliCommand, type CliIo, UsageError } from './command.ts';
import { commands } from './registry.ts';

// For the footprint bench, which loads the CLI as bin/entry.js does (the build or the sources) and asks it this.
export { pgliteHeapBytes } from '../store/db.ts';
// For store/initdb-process.mjs, which loads the CLI the same way to make a new data folder ready.
export { initializeFolder } from '../store/open.ts';

/** Set by main: a command that serves (`twelve start`) keeps running when its stdout's reader goes away. */
let serving = false;
let pipeWatched = false;

export function defaultIo(): CliIo {
  if (!pipeWatched) {
    pipeWatched = true;
    // `twelve report … | head`: the reader has gone. Stop quietly, as Unix tools do, instead of a stack trace.
    process.stdout.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err;
      if (!serving) process.exit(process.exitCode ?? 0);
    });
  }
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    interactive: Boolean(process.stdin.isTTY && process.stdout.isTTY),
    env: process.env,
  };
}

function help(io: CliIo, list: CliCommand[]): void {
  const group = list.every((c) => c.path[0] === list[0]?.path[0] && c.path.length > 1);
  io.out(`Usage: twelve ${group ? `${list[0]?.path[0]} <command>` : '<command>'} [options]\n`);
  io.out('Commands:');
  const width = Math.max(...list.map((c) => c.path.join(' ').length));
  for (const c of list) io.out(`  ${c.path.join(' ').padEnd(width)}  ${c.summary}`);
  io.out('\nRun `twelve <command> --help` for the options of one command.');
}

export async function main(argv: string[], io: CliIo = defaultIo()): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    help(io, commands);
    return argv.length === 0 ? 2 : 0;
  }
  const match = [...commands]
    .sort((a, b) => b.path.length - a.path.length)
    .find((c) => c.path.every((word, i) => argv[i] === word));
  if (!match) {
    // `twelve kb` (a group's first word alone, or with an unknown second word): that group's subcommands.
    const group = commands.filter((c) => c.path.length > 1 && c.path[0] === argv[0]);
    if (group.length > 0) {
      const asked = argv.length === 1 || argv[1] === '--help' || argv[1] === '-h';
      (asked ? io.out : io.err)(
        asked
          ? `twelve ${argv[0]}: choose one of its commands`
          : `twelve: unknown command "${argv.join(' ')}"; twelve ${argv[0]} has these commands`,
      );
      help(io, group);
      return asked && argv.length > 1 ? 0 : 2;
    }
    io.err(`twelve: unknown command "${argv.join(' ')}"`);
    help(io, commands);
    return 2;
  }
  serving = match.path.length === 1 && match.path[0] === 'start';
  const rest = argv.slice(match.path.length);
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(match.usage);
    return 0;
  }
  try {
    return await match.run(rest, io);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (err instanceof UsageError || (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'))) {
      io.err(`twelve ${match.path.join(' ')}: ${(err as Error).message}`);
      io.err(match.usage);
      return 2;
    }
    const message = err instanceof Error ? err.message : String(err);
    io.err(`twelve ${match.path.join(' ')}: ${message}`);
    return 1;
  }
}
