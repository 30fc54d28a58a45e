// Every CLI command, in the order `twelve --help` lists them.
import type { CliCommand } from './command.ts';
import { auditCheckpointCommand, auditExportCommand, auditVerifyCommand } from './commands/audit.ts';
import { demoCommand } from './commands/demo.ts';
import { evalSupportCommand } from './commands/eval.ts';
import { readinessCommand } from './commands/readiness.ts';
import { startCommand } from './commands/start.ts';

export const commands: CliCommand[] = [
  startCommand,
  readinessCommand,
  auditVerifyCommand,
  auditExportCommand,
  auditCheckpointCommand,
  evalSupportCommand,
  demoCommand,
];
