// Every CLI command, in the order `twelve --help` lists them.
import type { CliCommand } from './command.ts';
import { readinessCommand } from './commands/readiness.ts';

export const commands: CliCommand[] = [readinessCommand];
