// `twelve eval agent NAME --test FILE` on a PGlite data folder: the sample KB's own evaluation set is scored at the
// agent's threshold, the suggested threshold is printed, the result is recorded as evidence, and the exit code says
// whether it passed. `twelve kb health --agent NAME` on the same KB: what training measured of it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureIo } from '../../../../test/support/cli.ts';
import { createApp } from '../../../app.ts';
import { main } from '../../../cli/main.ts';
import { kbImporter } from '../../../knowledge/import.ts';
import { agentCreator } from '../../../runtime/agents.ts';
import { openDatabase } from '../../../store/open.ts';

const dir = mkdtempSync(join(tmpdir(), 'twelve-eval-agent-'));
const EXAMPLE = join(import.meta.dirname, '../../../../examples/northwind-cycles');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const capture = () => captureIo({ TWELVE_DATA_DIR: dir });

beforeAll(async () => {
  const db = await openDatabase({ dataDir: dir });
  try {
    const app = createApp(db);
    const agent = await agentCreator(app, 'test', {
      kind: 'support',
      name: 'shop',
      confidenceThreshold: 0.5,
    });
    await kbImporter(app, 'test', agent.id, EXAMPLE);
  } finally {
    await db.close();
  }
});

async function evaluations(): Promise<number> {
  const db = await openDatabase({ dataDir: dir });
  try {
    const [row] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM evaluations');
    return row!.n;
  } finally {
    await db.close();
  }
}

describe('twelve eval agent', () => {
  it('scores the set at the agent threshold, prints the suggested threshold and records the evidence', async () => {
    const io = capture();
    const code = await main(
      ['eval', 'agent', 'shop', '--test', join(EXAMPLE, 'eval.jsonl'), '--target-precision', '0.9'],
      io,
    );
    const text = io.stdout.join('\n');
    expect(text).toMatch(/^Agent shop: \d+ questions at threshold 0\.50/);
    expect(text).toMatch(/answered precision +\d+\.\d%/);
    expect(text).toMatch(/by out-of-scope share \(test file resampled\):\n +share +precision +coverage/);
    expect(text).toMatch(
      /suggested threshold \d\.\d{3} \(reaches the target on this set, with a margin below/,
    );
    expect(code).toBe(/PASSED/.test(text) ? 0 : 1);
    expect(text).toMatch(
      /^ {2}mistakes at the threshold: \d+ wrong answers, \d+ out-of-scope questions answered/m,
    );

    const json = capture();
    await main(['eval', 'agent', 'shop', '--test', join(EXAMPLE, 'eval.jsonl'), '--json'], json);
    const report = JSON.parse(json.stdout.join(''));
    expect(report.curve.length).toBeGreaterThan(50);
    expect(report.mistakes).toMatchObject({ wrong: expect.any(Number), examples: expect.any(Array) });
    expect(report.suggestedThreshold === null || report.suggestedThreshold > 0).toBe(true);

    expect(await evaluations()).toBe(2);
  });

  it('says which line of a bad test file is wrong, and records nothing', async () => {
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, '{"text": "when are you open", "label": "Opening hours"}\n{"text": 3}\n');
    const io = capture();
    expect(await main(['eval', 'agent', 'shop', '--test', bad], io)).toBe(1);
    expect(io.stderr.join('\n')).toMatch(/bad\.jsonl:2: "text" must be a string/);
    expect(await evaluations()).toBe(2);
  });
});

describe('twelve kb health', () => {
  it("prints what training measured of the agent's entries, and the same as JSON", async () => {
    const io = capture();
    expect(await main(['kb', 'health', '--agent', 'shop'], io)).toBe(0);
    const text = io.stdout.join('\n');
    expect(text).toMatch(
      /^knowledge base version \d+: training held out \d+ phrasings and matched \d+\.\d% to their own entry/,
    );
    const json = capture();
    expect(await main(['kb', 'health', '--agent', 'shop', '--json'], json)).toBe(0);
    const { health } = JSON.parse(json.stdout.join(''));
    // Every sample entry is there by title; a pair printed is one the JSON names.
    expect(health.entries.map((e: { title: string }) => e.title)).toContain('Opening hours');
    for (const p of health.lookAlike.slice(0, 10))
      expect(text).toContain(`  ${p.entry.title} → ${p.other.title}: ${p.count}`);

    const missing = capture();
    expect(await main(['kb', 'health'], missing)).toBe(2);
  });
});
