// `twelve db migrate`: brings the schema (and on a server pg-boss's job queue) up to date and exits (run it as the owner of Twelve's tables when the app
// runs as another role). `twelve db app-role`: prints the SQL that sets up that role (store/app-role.ts).
import { parseArgs } from 'node:util';
import { loadConfig } from '../../config.ts';
import { installJobQueue } from '../../jobs/runner.ts';
import { appRoleSql } from '../../store/app-role.ts';
import { openDatabase } from '../../store/open.ts';
import { type CliCommand, UsageError } from '../command.ts';

export const dbMigrateCommand: CliCommand = {
  path: ['db', 'migrate'],
  summary: "Bring the database schema up to date (as the owner of Twelve's tables) and exit",
  usage: [
    'twelve db migrate',
    '',
    'No options. Environment: DATABASE_URL (the owner), else PGlite in TWELVE_DATA_DIR',
    '',
    'Example:',
    '  DATABASE_URL=postgres://owner@db/twelve twelve db migrate',
  ].join('\n'),
  async run(argv, io) {
    parseArgs({ args: argv, options: {}, strict: true });
    const db = await openDatabase(loadConfig(io.env));
    try {
      const [row] = await db.query<{ n: number; last: string }>(
        'SELECT count(*)::int AS n, max(name) AS last FROM schema_migrations',
      );
      io.out(`schema up to date: ${row!.n} migrations, the last ${row!.last}`);
      // On a server, the job queue too: the app role may not create its schema (store/app-role.ts).
      if (db.driver === 'pg') io.out(`job queue installed in schema ${await installJobQueue(db)}`);
      return 0;
    } finally {
      await db.close();
    }
  },
};

export const dbAppRoleCommand: CliCommand = {
  path: ['db', 'app-role'],
  summary: 'Print the SQL that sets up the role Twelve should run as (not the owner of its tables)',
  usage:
    'twelve db app-role [--role twelve_app] [--schema public]\n\n' +
    [
      '',
      '  --role NAME     the role to create (default twelve_app)',
      "  --schema NAME   the schema Twelve's tables are in (default public)",
      '',
      'Pipe it to psql as the owner, after `twelve db migrate`.',
      '',
      'Example:',
      '  npx twelve db app-role | psql "$OWNER_DATABASE_URL"',
    ].join('\n'),
  async run(argv, io) {
    const { values } = parseArgs({
      args: argv,
      options: { role: { type: 'string' }, schema: { type: 'string' } },
      strict: true,
    });
    let sql: string;
    try {
      sql = appRoleSql({
        ...(values.role ? { role: values.role } : {}),
        ...(values.schema ? { schema: values.schema } : {}),
      });
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    io.out(sql.trimEnd());
    return 0;
  },
};
