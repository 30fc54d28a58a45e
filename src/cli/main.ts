// `twelve` CLI dispatcher: finds the longest matching command path and runs it; usage errors exit 2.
import { type CliCommand, type CliIo, UsageError } from './command.ts';
import { commands } from './registry.ts';

export function defaultIo(): CliIo {
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    interactive: Boolean(process.stdin.isTTY && process.stdout.isTTY),
    env: process.env,
  };
}

function help(io: CliIo, list: CliCommand[]): void {
  io.out('Usage: twelve <command> [options]\n');
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
    io.err(`twelve: unknown command "${argv.join(' ')}"`);
    help(io, commands);
    return 2;
  }
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
