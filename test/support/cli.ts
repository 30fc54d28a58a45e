// A CliIo that records what a command prints, for CLI tests: stdout and stderr lines, no terminal.
import type { CliIo } from '../../src/cli/command.ts';

export function captureIo(
  env: NodeJS.ProcessEnv,
  interactive = false,
): CliIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { out: (l) => stdout.push(l), err: (l) => stderr.push(l), interactive, env, stdout, stderr };
}
