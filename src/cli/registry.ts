// Every CLI command, in the order `twelve --help` lists them.
import type { CliCommand } from './command.ts';

export const commands: CliCommand[] = [];
