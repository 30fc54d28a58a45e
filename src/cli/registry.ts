// Every CLI command, in the order `twelve --help` lists them: the platform's, with each registered kind's own
// (agents/registry.ts) after the audit commands.
import { AGENT_KINDS } from '../agents/registry.ts';
import { kbHealthCommand, kbImportCommand, kbSuggestCommand } from '../knowledge/cli/kb.ts';
import { MCP_COMMANDS } from '../mcp/cli.ts';
import type { CliCommand } from './command.ts';
import {
  auditAnchorCommand,
  auditCheckpointCommand,
  auditExportCommand,
  auditVerifyCommand,
} from './commands/audit.ts';
import { dbAppRoleCommand, dbMigrateCommand } from './commands/db.ts';
import { readinessCommand } from './commands/readiness.ts';
import { reportCommand, worklogCommand } from './commands/report.ts';
import { startCommand } from './commands/start.ts';
import { tokenCreateCommand, tokenListCommand, tokenRevokeCommand } from './commands/token.ts';
import { userCreateCommand } from './commands/user.ts';
import { openCliApp } from './open.ts';

export const commands: CliCommand[] = [
  startCommand,
  readinessCommand,
  auditVerifyCommand,
  auditExportCommand,
  auditCheckpointCommand,
  auditAnchorCommand,
  kbImportCommand(openCliApp),
  kbHealthCommand(openCliApp),
  kbSuggestCommand(openCliApp),
  ...AGENT_KINDS.flatMap((kind) => kind.cli?.(openCliApp) ?? []),
  reportCommand(openCliApp),
  worklogCommand(openCliApp),
  userCreateCommand,
  tokenCreateCommand,
  tokenListCommand,
  tokenRevokeCommand,
  dbMigrateCommand,
  dbAppRoleCommand,
  ...MCP_COMMANDS,
];
