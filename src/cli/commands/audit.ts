// `twelve audit verify|export|checkpoint|anchor`: walk the hash chains (and check anchors), write JSONL, seal the
// stream heads, sign the newest checkpoint for safekeeping outside the database (audit/anchor.ts).
import { appendFileSync, createWriteStream, existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  ANCHOR_KEY_ENV,
  ANCHOR_KEY_FILE,
  type Anchor,
  AnchorError,
  anchorKey,
  parseAnchors,
  takeAnchor,
  verifyWithAnchors,
} from '../../audit/anchor.ts';
import { exportAudit, verifyAudit, writeCheckpoint } from '../../audit/verify.ts';
import { systemClock } from '../../clock.ts';
import { loadConfig } from '../../config.ts';
import type { Db } from '../../store/db.ts';
import { openDatabase } from '../../store/open.ts';
import { type CliCommand, type CliIo, UsageError } from '../command.ts';

async function withDb<T>(io: CliIo, fn: (db: Db) => Promise<T>): Promise<T> {
  const db = await openDatabase(loadConfig(io.env));
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

/** --anchor VALUE|FILE: the anchor itself (JSON), or a file of anchors, one per line. */
function readAnchorOption(value: string): Anchor[] {
  const text = value.trimStart().startsWith('{')
    ? value
    : existsSync(value)
      ? readFileSync(value, 'utf8')
      : null;
  if (text === null) throw new UsageError(`--anchor: ${value} is neither an anchor nor a file`);
  try {
    return parseAnchors(text);
  } catch (err) {
    if (err instanceof AnchorError) throw new UsageError(`--anchor: ${err.message}`);
    throw err;
  }
}

export const auditVerifyCommand: CliCommand = {
  path: ['audit', 'verify'],
  summary: 'Verify the audit trail; names the first broken link',
  usage: `twelve audit verify [--anchor FILE|VALUE] [--json]

--anchor   also require the trail to hold these anchors (from \`twelve audit anchor\`; a file may hold several, one
           per line): each signature must verify with the anchor key (${ANCHOR_KEY_ENV}, else the data folder's
           ${ANCHOR_KEY_FILE}) and its checkpoint must still be in the trail with the same hash
--json     print the result as JSON (ok, events, streams, the first broken link)

Examples:
  twelve audit verify
  twelve audit verify --anchor anchors.jsonl --json`,
  async run(argv, io) {
    const { values } = parseArgs({
      args: argv,
      options: { json: { type: 'boolean' }, anchor: { type: 'string' } },
      strict: true,
    });
    const anchors = values.anchor !== undefined ? readAnchorOption(values.anchor) : [];
    const config = loadConfig(io.env);
    const key = anchors.length ? anchorKey(io.env, config.dataDir) : null;
    if (anchors.length && !key)
      throw new Error(
        `no anchor key to check the anchor with: set ${ANCHOR_KEY_ENV}, or run where ${config.dataDir}/${ANCHOR_KEY_FILE} is`,
      );
    const report = await withDb(io, (db) =>
      key ? verifyWithAnchors(db, anchors, key.key) : verifyAudit(db),
    );
    if (values.json) io.out(JSON.stringify(report));
    else if (report.ok) {
      io.out(
        `OK: ${report.events} events in ${report.streams} streams and ${report.checkpoints} checkpoints verify.`,
      );
      if (anchors.length)
        io.out(
          `The trail holds ${anchors.length === 1 ? 'the anchor' : `all ${anchors.length} anchors`} (checkpoint ${anchors.map((a) => a.checkpoint).join(', ')}), signed with the key in ${key!.source}.`,
        );
      else if (report.anchor)
        io.out(`Anchor (latest checkpoint hash; keep a copy elsewhere): ${report.anchor}`);
    } else {
      const b = report.firstBroken!;
      io.err(
        b.id === null && b.seq === null && b.reason.startsWith('anchor of')
          ? `BROKEN: ${b.reason}`
          : `BROKEN: first broken link at event ${b.id ?? '?'} (stream ${b.stream}, seq ${b.seq ?? '?'}): ${b.reason}`,
      );
      if (report.problems.length > 1)
        io.err(`${report.problems.length - 1} more problem(s); run with --json for all.`);
    }
    return report.ok ? 0 : 1;
  },
};

export const auditExportCommand: CliCommand = {
  path: ['audit', 'export'],
  summary: 'Write the audit trail as JSONL (stdout or --out FILE)',
  usage: [
    'twelve audit export [--out FILE]',
    '',
    '  --out FILE  write the JSONL to FILE instead of stdout',
    '',
    'Example:',
    '  twelve audit export --out audit-2026-12.jsonl',
  ].join('\n'),
  async run(argv, io) {
    const { values } = parseArgs({ args: argv, options: { out: { type: 'string' } }, strict: true });
    const n = await withDb(io, async (db) => {
      if (!values.out) return exportAudit(db, (line) => io.out(line));
      const file = createWriteStream(values.out);
      const count = await exportAudit(db, (line) => {
        if (!file.write(`${line}\n`)) return new Promise<void>((r) => file.once('drain', () => r()));
      });
      await new Promise<void>((r, reject) => file.end((err?: Error | null) => (err ? reject(err) : r())));
      return count;
    });
    io.err(`exported ${n} events${values.out ? ` to ${values.out}` : ''}`);
    return 0;
  },
};

export const auditCheckpointCommand: CliCommand = {
  path: ['audit', 'checkpoint'],
  summary: 'Seal the current stream heads into the checkpoint chain',
  usage: [
    'twelve audit checkpoint',
    '',
    'No options. A job does this every 5 minutes; run it to seal the heads now.',
    '',
    'Example:',
    '  twelve audit checkpoint',
  ].join('\n'),
  async run(argv, io) {
    parseArgs({ args: argv, options: {}, strict: true });
    const cp = await withDb(io, (db) => writeCheckpoint(db, systemClock));
    io.out(cp ? `checkpoint ${cp.id} seals ${cp.streams} stream(s): ${cp.hash}` : 'nothing new to seal');
    return 0;
  },
};

export const auditAnchorCommand: CliCommand = {
  path: ['audit', 'anchor'],
  summary: 'Seal the heads and print a signed anchor of the newest checkpoint, to keep outside the database',
  usage: `twelve audit anchor [--out FILE] [--post URL]

Takes a fresh checkpoint and prints one line of JSON: the checkpoint's id, time and hash, signed with HMAC-SHA256.
--out FILE   also append the anchor to FILE (one per line; \`twelve audit verify --anchor FILE\` checks them all)
--post URL   also POST it to URL as application/json (exit 1 unless the answer is 2xx)

Key: ${ANCHOR_KEY_ENV} (at least 32 characters), else the data folder's ${ANCHOR_KEY_FILE} (made on first use).
Keep anchors where whoever can write the database cannot.

Example:
  twelve audit anchor --out /mnt/offsite/anchors.jsonl`,
  async run(argv, io) {
    const { values } = parseArgs({
      args: argv,
      options: { out: { type: 'string' }, post: { type: 'string' } },
      strict: true,
    });
    if (values.post !== undefined && !/^https?:\/\//.test(values.post))
      throw new UsageError('--post needs an http:// or https:// URL');
    const config = loadConfig(io.env);
    const key = anchorKey(io.env, config.dataDir, { create: true })!;
    const anchor = await withDb(io, (db) => takeAnchor(db, systemClock, key.key));
    const line = JSON.stringify(anchor);
    io.out(line);
    if (values.out !== undefined) {
      appendFileSync(values.out, `${line}\n`);
      io.err(`anchor of checkpoint ${anchor.checkpoint} appended to ${values.out}`);
    }
    if (values.post !== undefined) {
      const res = await fetch(values.post, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: line,
        signal: AbortSignal.timeout(30_000),
      });
      if (!res.ok) {
        io.err(`twelve audit anchor: ${values.post} answered ${res.status}; the anchor was not posted`);
        return 1;
      }
      io.err(`anchor of checkpoint ${anchor.checkpoint} posted to ${values.post} (${res.status})`);
    }
    return 0;
  },
};
