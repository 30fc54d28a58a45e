// `twelve user create`: adds a person with a role from the command line (the first admin on a server with no
// browser at hand, or a scripted install). The password never appears in argv, where `ps` and shell history would
// keep it: it is typed at a hidden prompt or piped with --password-stdin.
import { parseArgs } from 'node:util';
import { EmailSchema, PasswordSchema, ROLES, type Role, userCreator } from '../../accounts/users.ts';
import { loadConfig } from '../../config.ts';
import { createServices } from '../../context.ts';
import { openDatabase } from '../../store/open.ts';
import { type CliCommand, type CliIo, UsageError } from '../command.ts';

/** Where a password comes from. Injectable so tests (and other front ends) need no terminal. */
export interface SecretSource {
  /** All of standard input (for --password-stdin). */
  readStdin(): Promise<string>;
  /** Asks at a terminal without echoing what is typed. */
  promptHidden(question: string): Promise<string>;
}

const USAGE = `Usage: twelve user create (--admin | --role ROLE) EMAIL [--name NAME] [--password-stdin]

Creates a user.

  --admin           the same as --role admin
  --role ROLE       one of ${ROLES.join(', ')} (the dashboard's Settings → People shows what each may do)
  --name NAME       the name the dashboard shows (default: none, the email is shown)
  --password-stdin  read the password from standard input instead of a hidden prompt

The password (at least 12 characters, not a common or easily guessed one) is asked for at a hidden prompt, or read from standard input with
--password-stdin (one line; the trailing newline is dropped).

Example:
  printf '%s\\n' "$PASSWORD" | twelve user create --admin ops@example.com --password-stdin`;

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** Reads a line in raw mode so nothing typed is echoed; Ctrl-C cancels, backspace edits. */
function promptHiddenOnTerminal(question: string): Promise<string> {
  const input = process.stdin;
  process.stderr.write(question);
  return new Promise((resolve, reject) => {
    let chars: string[] = [];
    const wasRaw = input.isRaw;
    const finish = () => {
      input.off('data', onData);
      input.setRawMode(wasRaw);
      input.pause();
      process.stderr.write('\n');
    };
    const onData = (chunk: Buffer | string) => {
      for (const ch of String(chunk)) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') {
          finish();
          resolve(chars.join(''));
          return;
        }
        if (ch === '\u0003') {
          finish();
          reject(new UsageError('cancelled'));
          return;
        }
        if (ch === '\u007f' || ch === '\b') chars = chars.slice(0, -1);
        else chars.push(ch);
      }
    };
    input.setRawMode(true);
    input.setEncoding('utf8');
    input.on('data', onData);
    input.resume();
  });
}

export const terminalSecrets: SecretSource = {
  readStdin: () => readAll(process.stdin),
  promptHidden: promptHiddenOnTerminal,
};

function parse(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      strict: true,
      allowPositionals: true,
      options: {
        admin: { type: 'boolean', default: false },
        role: { type: 'string' },
        name: { type: 'string', default: '' },
        'password-stdin': { type: 'boolean', default: false },
      },
    });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

function roleOf(admin: boolean, role: string | undefined): Role {
  if (admin && role !== undefined && role !== 'admin')
    throw new UsageError(`--admin conflicts with --role ${role}`);
  if (admin) return 'admin';
  if (role === undefined) throw new UsageError('give --admin or --role ROLE');
  if (!(ROLES as readonly string[]).includes(role))
    throw new UsageError(`--role must be one of ${ROLES.join(', ')} (got "${role}")`);
  return role as Role;
}

async function readPassword(io: CliIo, fromStdin: boolean, secrets: SecretSource): Promise<string> {
  if (fromStdin) {
    // One line: drop the newline that `echo` and `printf '%s\n'` add, keep every other character.
    return (await secrets.readStdin()).replace(/\r?\n$/, '');
  }
  if (!io.interactive) throw new UsageError('not a terminal: pipe the password with --password-stdin');
  const first = await secrets.promptHidden('Password (at least 12 characters): ');
  const again = await secrets.promptHidden('Repeat the password: ');
  if (first !== again) throw new UsageError('the two passwords differ');
  return first;
}

export async function runUserCreate(
  argv: string[],
  io: CliIo,
  secrets: SecretSource = terminalSecrets,
): Promise<number> {
  const { values, positionals } = parse(argv);
  if (positionals.length !== 1) throw new UsageError('give exactly one EMAIL');
  const email = EmailSchema.safeParse(positionals[0]);
  if (!email.success) throw new UsageError(`"${positionals[0]}" is not an email address`);
  const role = roleOf(values.admin === true, values.role);
  const password = await readPassword(io, values['password-stdin'] === true, secrets);
  const checked = PasswordSchema.safeParse(password);
  if (!checked.success) {
    io.err(`twelve user create: ${checked.error.issues[0]?.message ?? 'the password is not accepted'}`);
    return 1;
  }
  const db = await openDatabase(loadConfig(io.env));
  try {
    const user = await userCreator(createServices(db), 'cli', {
      email: email.data,
      name: values.name ?? '',
      role,
      password: checked.data,
    });
    io.out(`Created ${user.role} ${user.email} (id ${user.id}).`);
    return 0;
  } finally {
    await db.close();
  }
}

export const userCreateCommand: CliCommand = {
  path: ['user', 'create'],
  summary: 'Create a user (admin, reviewer or viewer); the password is prompted or read from stdin',
  usage: USAGE,
  run: (argv, io) => runUserCreate(argv, io),
};
