// `twelve kb suggest` on a PGlite data folder, with the LLM a local fake of the Anthropic API named by TWELVE_LLM_*:
// it prints each suggestion with the engine's verdict and the cost, adds nothing unless told `--add new` (then only
// what the engine does not answer with the entry yet, in one version), and refuses clearly without a provider.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeAnthropic, startFakeAnthropic } from '../../../test/fakes/anthropic.ts';
import { captureIo } from '../../../test/support/cli.ts';
import { faqCreator } from '../../agents/support/kb.ts';
import { createApp } from '../../app.ts';
import { agentCreator } from '../../runtime/agents.ts';
import { openDatabase } from '../../store/open.ts';
import { main } from '../main.ts';

const dir = mkdtempSync(join(tmpdir(), 'twelve-kb-suggest-'));
let fake: FakeAnthropic;

const ENTRIES = [
  {
    title: 'Opening hours',
    answer: 'Nine to half past five, Monday to Friday.',
    phrasings: ['when are you open', 'what are your opening hours', 'what time do you open'],
  },
  {
    title: 'Returns',
    answer: 'Within 30 days for a full refund.',
    phrasings: ['how do I return an item', 'can I get a refund', 'what is your return policy'],
  },
  {
    title: 'Delivery costs',
    answer: 'Free over 50 euros.',
    phrasings: ['how much is delivery', 'is shipping free', 'what does postage cost'],
  },
];
const NEW = 'till what time is the shop staffed on weekdays';
const KNOWN = 'what time do you open tomorrow';
const CONFLICT = 'how do I return an item please';

beforeAll(async () => {
  fake = await startFakeAnthropic();
  const db = await openDatabase({ dataDir: dir });
  try {
    const app = createApp(db, { llm: null });
    const agent = await agentCreator(app, 'test', {
      kind: 'support',
      name: 'shop',
      confidenceThreshold: 0.5,
    });
    for (const e of ENTRIES) await faqCreator(app, 'test', agent.id, e);
  } finally {
    await db.close();
  }
});
afterAll(async () => {
  await fake?.close();
  rmSync(dir, { recursive: true, force: true });
});

const withLlm = () =>
  captureIo({
    TWELVE_DATA_DIR: dir,
    TWELVE_LLM_PROVIDER: 'anthropic',
    TWELVE_LLM_MODEL: 'claude-cli-test',
    TWELVE_LLM_API_KEY: fake.apiKey,
    TWELVE_LLM_BASE_URL: fake.baseURL,
    TWELVE_LLM_MAX_RETRIES: '0',
  });

async function phrasingsOf(title: string): Promise<{ phrasings: string[]; version: number }> {
  const db = await openDatabase({ dataDir: dir });
  try {
    const [row] = await db.query<{ phrasings: string[]; version: number }>(
      'SELECT phrasings, version FROM kb_entries WHERE title = $1 AND deleted_at IS NULL',
      [title],
    );
    return { phrasings: row!.phrasings, version: Number(row!.version) };
  } finally {
    await db.close();
  }
}

describe('twelve kb suggest', () => {
  it('prints the suggestions with their verdicts and cost, and adds nothing', async () => {
    fake.script({ text: JSON.stringify({ phrasings: [NEW, KNOWN, CONFLICT, 'When are you open?'] }) });
    const io = withLlm();
    expect(
      await main(['kb', 'suggest', '--agent', 'shop', '--entry', 'opening hours', '--count', '4'], io),
    ).toBe(0);
    expect(io.stderr.join('\n')).toContain('asking claude-cli-test for 4 phrasings of "Opening hours"');
    expect(io.stdout[0]).toBe(`+ ${NEW}`);
    expect(io.stdout[1]).toBe(`= ${KNOWN}   (already answered with this entry)`);
    expect(io.stdout[2]).toMatch(
      /^! how do I return an item please {3}\(answered with "Returns" at [01]\.\d\d\)$/,
    );
    expect(io.stdout).toHaveLength(5);
    expect(io.stdout[4]).toBe('nothing added: pick in the dashboard, or run again with --add new');
    expect((await phrasingsOf('Opening hours')).version).toBe(1);
  });

  it('adds only what is new to the engine with --add new, in one version; --json says what', async () => {
    fake.script({ text: JSON.stringify({ phrasings: [NEW, KNOWN, CONFLICT] }) });
    const io = withLlm();
    expect(
      await main(
        ['kb', 'suggest', '--agent', 'shop', '--entry', 'Opening hours', '--add', 'new', '--json'],
        io,
      ),
    ).toBe(0);
    const out = JSON.parse(io.stdout.join(''));
    expect(out.added).toEqual([NEW]);
    expect(out.suggestions.map((s: { verdict: string }) => s.verdict)).toEqual(['new', 'known', 'conflict']);
    const after = await phrasingsOf('Opening hours');
    expect(after.version).toBe(2);
    expect(after.phrasings).toEqual([...ENTRIES[0]!.phrasings, NEW]);
  });

  it('refuses without a provider, an unknown entry, and a bad count or --add', async () => {
    const plain = captureIo({ TWELVE_DATA_DIR: dir });
    expect(await main(['kb', 'suggest', '--agent', 'shop', '--entry', 'Returns'], plain)).toBe(1);
    expect(plain.stderr.join('\n')).toContain('no LLM provider is configured (set TWELVE_LLM_PROVIDER)');

    const unknown = withLlm();
    expect(await main(['kb', 'suggest', '--agent', 'shop', '--entry', 'Gift cards'], unknown)).toBe(1);
    expect(unknown.stderr.join('\n')).toContain('no FAQ entry "Gift cards" in shop');
    for (const bad of [
      ['--count', '0'],
      ['--count', '21'],
      ['--count', 'many'],
      ['--add', 'all'],
    ]) {
      const io = withLlm();
      expect(
        await main(['kb', 'suggest', '--agent', 'shop', '--entry', 'Returns', ...bad], io),
        bad.join(' '),
      ).toBe(2);
    }
    expect(fake.pending()).toBe(0);
  });
});
