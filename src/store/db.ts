// One small database interface over two drivers: PGlite (embedded PostgreSQL in WebAssembly) and pg (a server).
// Everything above the store speaks SQL through `Queryable`, so the same code and the same tests run on both.
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { btree_gist } from '@electric-sql/pglite/contrib/btree_gist';
import { pgcrypto } from '@electric-sql/pglite/contrib/pgcrypto';
import pg from 'pg';

export type Row = Record<string, unknown>;

export interface Queryable {
  query<T = Row>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Runs several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export interface Db extends Queryable {
  readonly driver: 'pglite' | 'pg';
  /** Runs fn in one transaction; commits when it resolves, rolls back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /** The PGlite instance when driver = 'pglite' (dumps, LISTEN within one process). */
  readonly pglite?: PGlite;
  /** The pg pool when driver = 'pg' (LISTEN/NOTIFY across nodes, pg-boss). */
  readonly pool?: pg.Pool;
}

// int8 and numeric come back as strings by default; our ids and amounts fit in a double, so parse them the
// same way on both drivers (the store contract suite pins this).
const INT8 = 20;
const NUMERIC = 1700;
pg.types.setTypeParser(INT8, (v) => Number(v));
pg.types.setTypeParser(NUMERIC, (v) => Number(v));

const pgliteParsers = { [INT8]: (v: string) => Number(v), [NUMERIC]: (v: string) => Number(v) };

export const PGLITE_EXTENSIONS = { btree_gist, pgcrypto };

/**
 * PostgreSQL settings of a PGlite data folder (`twelve start`): one in-process backend has no use for the server
 * defaults sized for a hundred connections. shared_buffers is the WASM heap's biggest tenant (128 MB by default,
 * touched page by page until it is all resident); the data files stay in the OS page cache, so a smaller buffer
 * pool costs a copy from it, not a disk read. TWELVE_PGLITE_SHARED_BUFFERS overrides it (e.g. 128MB).
 */
export function pgliteStartParams(env: NodeJS.ProcessEnv = process.env): string[] {
  const sharedBuffers = env.TWELVE_PGLITE_SHARED_BUFFERS?.trim() || '16MB';
  if (!/^\d+(kB|MB|GB)$/.test(sharedBuffers))
    throw new Error(
      `TWELVE_PGLITE_SHARED_BUFFERS: a size such as 16MB (got ${JSON.stringify(sharedBuffers)})`,
    );
  const defaults = (PGlite as unknown as { defaultStartParams: string[] }).defaultStartParams;
  return [
    ...defaults,
    '-c',
    `shared_buffers=${sharedBuffers}`,
    '-c',
    'wal_buffers=1MB',
    '-c',
    'temp_buffers=2MB',
  ];
}

/**
 * Which machine code PGlite's WebAssembly runs as in a `twelve start` node. V8 compiles each function with its
 * baseline compiler (Liftoff) and recompiles the hot ones with its optimizing compiler (TurboFan) in background
 * threads, whose memory stays with the process: ≈ 40 MB of an idle node's RSS (footprint bench), for no step CPU we
 * could measure on PGlite (runtime bench, c=1 and c=32, within noise). `baseline`, the default, keeps Liftoff's code;
 * TWELVE_PGLITE_WASM=optimize lets V8 tier up as usual.
 */
export function pgliteWasmTier(env: NodeJS.ProcessEnv = process.env): 'baseline' | 'optimize' {
  const tier = env.TWELVE_PGLITE_WASM?.trim() || 'baseline';
  if (tier !== 'baseline' && tier !== 'optimize')
    throw new Error(`TWELVE_PGLITE_WASM: baseline or optimize (got ${JSON.stringify(tier)})`);
  return tier;
}

/**
 * Applies pgliteWasmTier to this process: a V8 flag, read when a WebAssembly module is compiled, so it is set before
 * the first PGlite opens (a process that compiled PGlite's module already keeps the code it has).
 */
export function applyPgliteWasmTier(tier: 'baseline' | 'optimize'): void {
  if (tier === 'baseline') setFlagsFromString('--liftoff-only');
}

export async function openPglite(
  options: { dataDir?: string; loadDataDir?: Blob; startParams?: string[] } = {},
): Promise<Db> {
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const instance = await PGlite.create({
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
    ...(options.startParams ? { startParams: options.startParams } : {}),
    extensions: PGLITE_EXTENSIONS,
    parsers: pgliteParsers,
  });
  openInstances.add(instance);
  return wrapPglite(instance);
}

const openInstances = new Set<PGlite>();

/** Bytes of WebAssembly memory held by this process's open PGlite instances (the footprint bench reports it). */
export function pgliteHeapBytes(): number {
  let bytes = 0;
  for (const instance of openInstances) {
    if (instance.closed) openInstances.delete(instance);
    else {
      const mod = instance.Module as unknown as { wasmMemory?: WebAssembly.Memory; HEAPU8?: Uint8Array };
      bytes += mod.wasmMemory?.buffer.byteLength ?? mod.HEAPU8?.byteLength ?? 0;
    }
  }
  return bytes;
}

function pgliteQueryable(target: PGlite | Transaction): Queryable {
  return {
    async query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
      const result = await target.query<T>(sql, params);
      return result.rows;
    },
    async exec(sql: string) {
      await target.exec(sql);
    },
  };
}

function wrapPglite(instance: PGlite): Db {
  const base = pgliteQueryable(instance);
  return {
    driver: 'pglite',
    pglite: instance,
    query: base.query,
    exec: base.exec,
    transaction(fn) {
      return instance.transaction((tx) => fn(pgliteQueryable(tx)));
    },
    async close() {
      if (!instance.closed) await instance.close();
      openInstances.delete(instance);
    },
  };
}

// Parameterised statements are sent as named prepared statements: the server parses and plans each distinct
// SQL text once per connection instead of on every call (about half the cost of a short UPDATE).
const statementNames = new Map<string, string>();
function statement(text: string, values: unknown[]): pg.QueryConfig {
  if (values.length === 0) return { text };
  let name = statementNames.get(text);
  if (!name) {
    name = `tw_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    if (statementNames.size < 5000) statementNames.set(text, name);
  }
  return { name, text, values };
}

export function openPg(connectionString: string, options: { max?: number; searchPath?: string } = {}): Db {
  const pool = new pg.Pool({
    connectionString,
    max: options.max ?? 20,
    ...(options.searchPath ? { options: `-c search_path=${options.searchPath}` } : {}),
  });
  // An idle client that errors (server restart) must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  return {
    driver: 'pg',
    pool,
    async query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
      const result = await pool.query(statement(sql, params));
      return result.rows as T[];
    },
    async exec(sql) {
      await pool.query(sql);
    },
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const tx: Queryable = {
          async query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
            const result = await client.query(statement(sql, params));
            return result.rows as T[];
          },
          async exec(sql: string) {
            await client.query(sql);
          },
        };
        const value = await fn(tx);
        await client.query('COMMIT');
        return value;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      } finally {
        client.release();
      }
    },
    async close() {
      await pool.end();
    },
  };
}

/** The SQLSTATE of a database error from either driver (pg puts it on err.code, drizzle on err.cause.code). */
export function sqlState(err: unknown): string | undefined {
  if (err && typeof err === 'object') {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    const cause = (err as { cause?: unknown }).cause;
    if (cause) return sqlState(cause);
  }
  return undefined;
}
