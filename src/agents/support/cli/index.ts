// The support kind's CLI commands, in the order `twelve --help` lists them.
import type { CliCommand } from '../../../cli/command.ts';
import type { CliAppOpener } from '../../kind.ts';
import { demoSupportCommand } from './demo-support.ts';
import { evalSupportCommand } from './eval.ts';
import { evalAgentCommand } from './eval-agent.ts';

export function supportCliCommands(open: CliAppOpener): CliCommand[] {
  return [evalSupportCommand, evalAgentCommand(open), demoSupportCommand(open)];
}
