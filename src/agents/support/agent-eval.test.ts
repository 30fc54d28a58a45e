// Evaluating an agent on its own KB and test set: the figures, and the result becoming readiness evidence.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, type TestDb } from '../../../test/support/db.ts';
import { type App, createApp } from '../../app.ts';
import { kbImporter } from '../../knowledge/import.ts';
import { assessmentRecorder, readinessOf } from '../../readiness/assessments.ts';
import { agentCreator, agentUpdater } from '../../runtime/agents.ts';
import { agentEvaluator } from './agent-eval.ts';
import { parseJsonl } from './eval.ts';

const EXAMPLES = join(import.meta.dirname, '../../../examples/northwind-cycles');
let db: TestDb;
let app: App;
beforeAll(async () => {
  db = await openTestDb();
  app = createApp(db);
});
afterAll(async () => {
  await db.dispose();
});

describe('agent evaluation', () => {
  it('measures the agent on its KB at its own threshold and records the result as clarity evidence [readiness:evidence-caps-mode]', async () => {
    let agent = await agentCreator(app, 'user:a@example.com', {
      kind: 'support',
      name: 'eval-agent',
      confidenceThreshold: 0.5,
    });
    await kbImporter(app, 'user:a@example.com', agent.id, join(EXAMPLES, 'faq.json'));
    agent = await agentUpdater(app, 'user:a@example.com', agent.id, {
      escalationContacts: ['t@example.com'],
      spendCapCents: 0,
    });
    await assessmentRecorder(app, 'user:a@example.com', agent.id, { clarity: 4, tolerance: 4, fallback: 4 });
    expect((await readinessOf(db, agent, app.toolsFor(agent))).effectiveMode).toBe('pilot');

    const test = parseJsonl(readFileSync(join(EXAMPLES, 'eval.jsonl'), 'utf8'), 'eval.jsonl');
    const { report } = await agentEvaluator(app, 'user:a@example.com', agent, test, { targetPrecision: 0.9 });
    expect(report).toMatchObject({ questions: 23, threshold: 0.5, unknownLabels: [] });
    expect(report.answeredPrecision).toBeGreaterThanOrEqual(0.9);
    expect(report.coverage).toBeGreaterThan(0.5);
    expect(report.oosRecall).toBe(1);
    expect(report.passed).toBe(true);
    expect((await readinessOf(db, agent, app.toolsFor(agent))).effectiveMode).toBe('production');

    // An impossible target fails, and a failing last evaluation takes the clarity evidence away again.
    const strict = await agentEvaluator(app, 'user:a@example.com', agent, [
      { text: 'when are you open', label: 'Returns' },
    ]);
    expect(strict.report.passed).toBe(false);
    // What went wrong names the entries: the question was answered with another one.
    const [returns, hours] = ['Returns', 'Opening hours'].map(
      (t) => Object.entries(strict.report.titles).find(([, title]) => title === t)?.[0],
    );
    expect(strict.report.mistakes).toMatchObject({
      wrong: 1,
      answeredOos: 0,
      missed: 0,
      confusions: [{ label: returns, predicted: hours, count: 1 }],
      examples: [{ text: 'when are you open', label: returns, predicted: hours, kind: 'wrong' }],
    });
    expect(Object.keys(strict.report.titles).sort()).toEqual([hours, returns].sort());
    expect((await readinessOf(db, agent, app.toolsFor(agent))).effectiveMode).toBe('pilot');
  });

  it('names labels that match no FAQ entry', async () => {
    const agent = await agentCreator(app, 'user:a@example.com', { kind: 'support', name: 'eval-unknown' });
    await kbImporter(app, 'user:a@example.com', agent.id, join(EXAMPLES, 'faq.json'));
    const { report } = await agentEvaluator(app, 'user:a@example.com', agent, [
      { text: 'hi', label: 'No such entry' },
    ]);
    expect(report.unknownLabels).toEqual(['No such entry']);
  });
});
