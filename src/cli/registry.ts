// Every CLI command, in the order `twelve --help` lists them.
import type { CliCommand } from './command.ts';
import {
  auditAnchorCommand,
  auditCheckpointCommand,
  auditExportCommand,
  auditVerifyCommand,
} from './commands/audit.ts';
import { dbAppRoleCommand, dbMigrateCommand } from './commands/db.ts';
import { demoCommand } from './commands/demo.ts';
import { demoSupportCommand } from './commands/demo-support.ts';
import { evalSupportCommand } from './commands/eval.ts';
import { evalAgentCommand } from './commands/eval-agent.ts';
import { kbHealthCommand, kbImportCommand, kbSuggestCommand } from './commands/kb.ts';
import { readinessCommand } from './commands/readiness.ts';
import { startCommand } from './commands/start.ts';
import { tokenCreateCommand, tokenListCommand, tokenRevokeCommand } from './commands/token.ts';
import { userCreateCommand } from './commands/user.ts';

export const commands: CliCommand[] = [
  startCommand,
  readinessCommand,
  auditVerifyCommand,
  auditExportCommand,
  auditCheckpointCommand,
  auditAnchorCommand,
  kbImportCommand,
  kbHealthCommand,
  kbSuggestCommand,
  evalSupportCommand,
  evalAgentCommand,
  demoSupportCommand,
  demoCommand,
  userCreateCommand,
  tokenCreateCommand,
  tokenListCommand,
  tokenRevokeCommand,
  dbMigrateCommand,
  dbAppRoleCommand,
];
