// `twelve kb suggest` on a PGlite data folder, with the LLM a local fake of the Anthropic API named by TWELVE_LLM_*:
// it prints each suggestion with the engine's verdict and the cost, adds nothing unless told `--add new` (then only
// what the engine does not answer with the entry yet, in one version), and refuses clearly without a provider.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  anthropicMessageTexts,
  type FakeAnthropic,
  startFakeAnthropic,
} from '../../../test/fakes/anthropic.ts';
import { captureIo } from '../../../test/support/cli.ts';
import { createApp } from '../../app.ts';
import { main } from '../../cli/main.ts';
import { agentCreator } from '../../runtime/agents.ts';
import { openDatabase } from '../../store/open.ts';
import { faqCreator } from '../kb.ts';

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

  it('--thin N asks for every entry with fewer phrasings, with progress; an unusable reply skips that entry', async () => {
    // Entries under 4 phrasings, by title: Delivery costs, then Returns (Opening hours has 4 by now).
    fake.script(
      { text: 'I would suggest asking about delivery.' },
      { text: JSON.stringify({ phrasings: ['can I send it back after two weeks', 'how much is delivery'] }) },
    );
    const io = withLlm();
    expect(
      await main(['kb', 'suggest', '--agent', 'shop', '--thin', '4', '--add', 'new', '--json'], io),
    ).toBe(0);
    const errors = io.stderr.join('\n');
    expect(errors).toContain('[1/2] Delivery costs');
    expect(errors).toContain('[2/2] Returns');
    expect(errors).toContain('"Delivery costs": the model did not answer with {"phrasings": [...]}');
    const out = JSON.parse(io.stdout.join(''));
    expect(out.stoppedBy).toBeNull();
    expect(out.results.map((r: { entry: { title: string } }) => r.entry.title)).toEqual(['Returns']);
    const [returns] = out.results;
    expect(returns.suggestions[1]).toMatchObject({ verdict: 'conflict', match: { title: 'Delivery costs' } });
    const fresh = returns.suggestions
      .filter((x: { verdict: string }) => x.verdict === 'new')
      .map((x: { text: string }) => x.text);
    expect(returns.added).toEqual(fresh);
    expect((await phrasingsOf('Returns')).phrasings).toEqual([...ENTRIES[1]!.phrasings, ...fresh]);
  });

  it('stops at the first provider failure of a --thin run, says where, and exits 1', async () => {
    fake.script(
      { text: JSON.stringify({ phrasings: ['do you deliver on saturdays'] }) },
      { status: 500, errorType: 'api_error', message: 'Internal server error' },
    );
    const io = withLlm();
    expect(await main(['kb', 'suggest', '--agent', 'shop', '--thin', '100'], io)).toBe(1);
    expect(io.stdout[0]).toMatch(/^"Delivery costs" \(3 phrasings\):$/);
    expect(io.stdout).toContain('  + do you deliver on saturdays');
    expect(io.stderr.at(-1)).toMatch(/^stopped after 1 of 3 entries: /);
    expect(fake.pending()).toBe(0);
  });

  it('--contrast shows the model the entry the questions are mistaken for', async () => {
    fake.script({ text: JSON.stringify({ phrasings: ['how much is express delivery'] }) });
    const io = withLlm();
    const args = ['kb', 'suggest', '--agent', 'shop', '--entry', 'Delivery costs', '--contrast', 'returns'];
    expect(await main(args, io)).toBe(0);
    const prompt = anthropicMessageTexts(fake.requests.at(-1)!.body, 'user').join('\n');
    expect(prompt).toContain('<contrast>\n<title>Returns</title>');
    const alone = withLlm();
    expect(
      await main(['kb', 'suggest', '--agent', 'shop', '--thin', '3', '--contrast', 'Returns'], alone),
    ).toBe(2);
    const unknown = withLlm();
    expect(
      await main(
        ['kb', 'suggest', '--agent', 'shop', '--entry', 'Returns', '--contrast', 'Gift cards'],
        unknown,
      ),
    ).toBe(1);
    expect(fake.pending()).toBe(0);
  });

  it('refuses without a provider, an unknown entry, and a bad count or --add', async () => {
    const plain = captureIo({ TWELVE_DATA_DIR: dir });
    expect(await main(['kb', 'suggest', '--agent', 'shop', '--entry', 'Returns'], plain)).toBe(1);
    expect(plain.stderr.join('\n')).toContain('no LLM provider is configured (set TWELVE_LLM_PROVIDER)');
    // Refused before anything is announced: no "asking … for 8 phrasings" line first.
    expect(plain.stderr.join('\n')).not.toMatch(/asking/);

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
