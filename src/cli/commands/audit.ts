// `twelve audit verify|export|checkpoint`: walk the hash chains, write JSONL, seal the stream heads.
import { createWriteStream } from 'node:fs';
import { parseArgs } from 'node:util';
import { exportAudit, verifyAudit, writeCheckpoint } from '../../audit/verify.ts';
import { systemClock } from '../../clock.ts';
import { loadConfig } from '../../config.ts';
import type { Db } from '../../store/db.ts';
import { openDatabase } from '../../store/open.ts';
import type { CliCommand, CliIo } from '../command.ts';

async function withDb<T>(io: CliIo, fn: (db: Db) => Promise<T>): Promise<T> {
  const db = await openDatabase(loadConfig(io.env));
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

export const auditVerifyCommand: CliCommand = {
  path: ['audit', 'verify'],
  summary: 'Verify the audit trail; names the first broken link',
  usage: 'twelve audit verify [--json]',
  async run(argv, io) {
    const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean' } }, strict: true });
    const report = await withDb(io, (db) => verifyAudit(db));
    if (values.json) io.out(JSON.stringify(report));
    else if (report.ok) {
      io.out(
        `OK: ${report.events} events in ${report.streams} streams and ${report.checkpoints} checkpoints verify.`,
      );
      if (report.anchor) io.out(`Anchor (latest checkpoint hash; keep a copy elsewhere): ${report.anchor}`);
    } else {
      const b = report.firstBroken!;
      io.err(
        `BROKEN: first broken link at event ${b.id ?? '?'} (stream ${b.stream}, seq ${b.seq ?? '?'}): ${b.reason}`,
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
  usage: 'twelve audit export [--out FILE]',
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
  usage: 'twelve audit checkpoint',
  async run(argv, io) {
    parseArgs({ args: argv, options: {}, strict: true });
    const cp = await withDb(io, (db) => writeCheckpoint(db, systemClock));
    io.out(cp ? `checkpoint ${cp.id} seals ${cp.streams} stream(s): ${cp.hash}` : 'nothing new to seal');
    return 0;
  },
};
