// The SQL that sets up the role Twelve should run as on a PostgreSQL server (`twelve db app-role` prints it). The
// audit triggers bind every role except the tables' owner, who can disable them (ALTER TABLE … DISABLE TRIGGER)
// and rewrite the trail; so the owner only migrates (`twelve db migrate`), and the app runs as a role that owns
// nothing of Twelve's schema: it reads and writes rows, appends to the audit trail (the triggers move the heads and
// check every link), but cannot alter, truncate or disable anything, nor UPDATE or DELETE audit events and
// checkpoints, nor DELETE heads. pg-boss creates a table per queue as queues appear, so its schema belongs to the
// app role: the job queue holds no audit data.

export interface AppRoleOptions {
  /** The role to create or update (default twelve_app). */
  role?: string;
  /** Twelve's schema (default public); pg-boss lives in `pgboss`, or `<schema>_pgboss` beside another schema. */
  schema?: string;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

export function appRoleSql(options: AppRoleOptions = {}): string {
  const role = options.role ?? 'twelve_app';
  const schema = options.schema ?? 'public';
  for (const [what, name] of [
    ['role', role],
    ['schema', schema],
  ] as const)
    if (!IDENTIFIER.test(name))
      throw new Error(
        `${what} must be a lower-case SQL name (letters, digits, _), got ${JSON.stringify(name)}`,
      );
  const jobs = schema === 'public' ? 'pgboss' : `${schema}_pgboss`;
  const t = (table: string) => `${schema}.${table}`;
  return `-- Twelve's app role "${role}": what the app needs, and nothing that can switch off or rewrite the audit trail.
-- Run as the owner of Twelve's tables (the role that ran \`twelve db migrate\`), in Twelve's database, after the
-- migrations. Then give the role a password (ALTER ROLE ${role} PASSWORD '…') and start Twelve with
-- DATABASE_URL=postgres://${role}:…@host/db. After an upgrade, run \`twelve db migrate\` as the owner again: tables
-- that new migrations create are granted by the default privileges below.
BEGIN;
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${role}') THEN
    CREATE ROLE ${role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
  END IF;
END
$$;

-- Rows: read and write every table, use every sequence; no TRUNCATE, REFERENCES or TRIGGER anywhere. (On
-- PostgreSQL 14 and older every role may create objects in public: REVOKE CREATE ON SCHEMA public FROM PUBLIC.)
GRANT USAGE ON SCHEMA ${schema} TO ${role};
REVOKE CREATE ON SCHEMA ${schema} FROM ${role};
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${schema} TO ${role};
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA ${schema} TO ${role};
ALTER DEFAULT PRIVILEGES IN SCHEMA ${schema} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${role};
ALTER DEFAULT PRIVILEGES IN SCHEMA ${schema} GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO ${role};

-- The audit trail: events and checkpoints are appended, never changed; heads move only through the insert trigger
-- (which runs with the inserting role's rights, hence INSERT and UPDATE on audit_heads; its own trigger refuses
-- any other move), never deleted. The migrations list is read, not written.
REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON ${t('audit_events')}, ${t('audit_checkpoints')} FROM ${role};
REVOKE DELETE, TRUNCATE, REFERENCES, TRIGGER ON ${t('audit_heads')} FROM ${role};
REVOKE ALL ON ${t('schema_migrations')} FROM ${role};
GRANT SELECT ON ${t('schema_migrations')} TO ${role};

-- The job queue (pg-boss) makes a table per queue as queues appear: its schema and everything in it become the
-- app's. \`twelve db migrate\` installs it (the app role may not create a schema); run this again after each.
DO $$
DECLARE
  obj record;
BEGIN
  IF to_regnamespace('${jobs}') IS NULL THEN
    RAISE EXCEPTION 'schema ${jobs} is missing: run \`twelve db migrate\` as the owner first';
  END IF;
  ALTER SCHEMA ${jobs} OWNER TO ${role};
  FOR obj IN
    SELECT format('ALTER %s %I.%I OWNER TO ${role}',
                  CASE c.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW' ELSE 'TABLE' END,
                  n.nspname, c.relname) AS stmt
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = '${jobs}' AND c.relkind IN ('r', 'p', 'S', 'v')
       -- a sequence of a table's column follows its table
       AND NOT (c.relkind = 'S' AND EXISTS (SELECT 1 FROM pg_depend d
                                             WHERE d.objid = c.oid AND d.deptype IN ('a', 'i')))
    UNION ALL
    SELECT format('ALTER FUNCTION %s OWNER TO ${role}', p.oid::regprocedure)
      FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = '${jobs}'
    UNION ALL
    SELECT format('ALTER TYPE %I.%I OWNER TO ${role}', n.nspname, ty.typname)
      FROM pg_type ty JOIN pg_namespace n ON n.oid = ty.typnamespace
     WHERE n.nspname = '${jobs}' AND ty.typtype = 'e'
  LOOP
    EXECUTE obj.stmt;
  END LOOP;
END
$$;
COMMIT;
`;
}
