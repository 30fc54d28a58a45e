// The shape every CLI command shares: a name, a one-line summary, and a run function that returns an exit code.
export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
  /** True when stdin and stdout are a terminal (interactive prompts allowed). */
  interactive: boolean;
  env: NodeJS.ProcessEnv;
}

export interface CliCommand {
  /** Words that select the command, e.g. ['audit', 'verify']. */
  path: string[];
  summary: string;
  usage: string;
  run: (argv: string[], io: CliIo) => Promise<number>;
}

export class UsageError extends Error {
  override name = 'UsageError';
}
