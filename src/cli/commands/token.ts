// `twelve token create|list|revoke`: API tokens for machines (CI, scripts, the MCP endpoint). `create` prints the
// secret alone on stdout, once, so `TOKEN=$(twelve token create …)` captures it; everything else goes to stderr.
import { parseArgs } from 'node:util';
import {
  type ApiToken,
  listTokens,
  ROLES,
  type Role,
  tokenCreator,
  tokenRevoker,
} from '../../accounts/users.ts';
import { loadConfig } from '../../config.ts';
import { createServices, type Services } from '../../context.ts';
import { openDatabase } from '../../store/open.ts';
import { type CliCommand, type CliIo, UsageError } from '../command.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** parseArgs throws TypeError for unknown or malformed options: that is a usage problem (exit 2). */
function parsed<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

async function withServices<T>(io: CliIo, fn: (svc: Services) => Promise<T>): Promise<T> {
  const db = await openDatabase(loadConfig(io.env));
  try {
    return await fn(createServices(db));
  } finally {
    await db.close();
  }
}

function describeToken(t: ApiToken): string {
  const used = t.lastUsedAt ? `last used ${t.lastUsedAt.toISOString()}` : 'never used';
  const state = t.revoked ? 'revoked' : 'active';
  return `${t.id}  ${t.name}  ${t.role}  ${state}  created ${t.createdAt.toISOString()} by ${t.createdBy}  ${used}`;
}

export const tokenCreateCommand: CliCommand = {
  path: ['token', 'create'],
  summary: 'Create an API token (printed once)',
  usage: [
    'Usage: twelve token create --name NAME --role ROLE',
    '',
    '  --name NAME  what the token is for, as listings show it (1 to 100 characters)',
    `  --role ROLE  what it may do: one of ${ROLES.join(', ')} (the dashboard's Settings → People shows each role's permissions)`,
    '',
    'The token is printed once on stdout; store it now.',
    '',
    'Example:',
    '  TOKEN=$(twelve token create --name ci --role reviewer)',
  ].join('\n'),
  async run(argv, io) {
    const { values } = parsed(() =>
      parseArgs({
        args: argv,
        strict: true,
        options: { name: { type: 'string' }, role: { type: 'string' } },
      }),
    );
    const name = values.name?.trim() ?? '';
    const role = values.role;
    if (!name) throw new UsageError('give --name NAME');
    if (role === undefined || !(ROLES as readonly string[]).includes(role))
      throw new UsageError(`give --role ${ROLES.join('|')}`);
    const { token, info } = await withServices(io, (svc) =>
      tokenCreator(svc, 'cli', { name, role: role as Role }),
    );
    io.out(token);
    io.err(
      `Created token "${info.name}" (role ${info.role}, id ${info.id}). It is shown only once: store it now.`,
    );
    return 0;
  },
};

export const tokenListCommand: CliCommand = {
  path: ['token', 'list'],
  summary: 'List API tokens (metadata only)',
  usage: [
    'Usage: twelve token list [--json]',
    '',
    '  --json  print the tokens as one JSON array (metadata only; secrets are never stored)',
    '',
    'Example:',
    '  twelve token list --json',
  ].join('\n'),
  async run(argv, io) {
    const { values } = parsed(() =>
      parseArgs({ args: argv, strict: true, options: { json: { type: 'boolean', default: false } } }),
    );
    const tokens = await withServices(io, (svc) => listTokens(svc.db));
    if (values.json === true) io.out(JSON.stringify(tokens));
    else if (tokens.length === 0) io.out('No API tokens.');
    else for (const t of tokens) io.out(describeToken(t));
    return 0;
  },
};

export const tokenRevokeCommand: CliCommand = {
  path: ['token', 'revoke'],
  summary: 'Revoke an API token by id (or the first characters of its id)',
  usage: [
    'Usage: twelve token revoke ID',
    '',
    'ID is the id `twelve token list` prints, or enough of its first characters to name one token.',
    'The token stops working at once, on every node.',
    '',
    'Example:',
    '  twelve token revoke 3f2a9c1e',
  ].join('\n'),
  async run(argv, io) {
    const { positionals } = parsed(() => parseArgs({ args: argv, strict: true, allowPositionals: true }));
    const given = positionals[0]?.trim();
    if (positionals.length !== 1 || !given)
      throw new UsageError('give the id of one token (see twelve token list)');
    const revoked = await withServices(io, async (svc) => {
      const id = UUID.test(given) ? given : resolvePrefix(given, await listTokens(svc.db));
      return tokenRevoker(svc, 'cli', id);
    });
    io.out(`Revoked token "${revoked.name}" (${revoked.id}).`);
    return 0;
  },
};

/** A token's id from the first characters of it: exactly one active token must start with them. */
export function resolvePrefix(given: string, tokens: ApiToken[]): string {
  const prefix = given.toLowerCase();
  const matches = /^[0-9a-f-]{4,}$/.test(prefix)
    ? tokens.filter((t) => !t.revoked && t.id.startsWith(prefix))
    : [];
  if (matches.length === 1) return matches[0]!.id;
  if (matches.length > 1)
    throw new Error(`"${given}" starts ${matches.length} tokens' ids; give more of the id`);
  throw new Error(
    /^[0-9a-f-]{4,}$/.test(prefix)
      ? `no active token has an id starting "${given}" (see twelve token list)`
      : `no token has the id "${given}": ids look like 3f2a9c1e-…, at least 4 characters of one (see twelve token list)`,
  );
}
