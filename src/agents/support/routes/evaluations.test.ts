// Evaluation routes: a JSONL test set uploaded for a support agent is scored by the same engine the agent answers
// with, at the agent's own threshold; the result (with the threshold curve and a suggested threshold) is recorded as
// readiness evidence and readable afterwards. Bad test sets are refused with a stable id and record nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, buildApi } from '../../../../test/support/api.ts';
import { faqCreator } from '../../../knowledge/kb.ts';
import { evaluationRecorder } from '../../../readiness/assessments.ts';
import { agentCreator } from '../../../runtime/agents.ts';
import type { AgentConfig } from '../../../runtime/types.ts';
import { agentEvaluator, suggestThreshold, thresholdCurve } from '../agent-eval.ts';

let api: Api;
let n = 0;
beforeAll(async () => {
  api = await buildApi();
});
afterAll(() => api.close());

async function supportAgent(threshold = 0.5): Promise<AgentConfig> {
  const agent = await agentCreator(api.app, 'test', {
    kind: 'support',
    name: `evaluated-${++n}`,
    confidenceThreshold: threshold,
  });
  await faqCreator(api.app, 'test', agent.id, {
    title: 'Opening hours',
    answer: 'Monday to Friday, 9:00 to 17:30.',
    phrasings: ['when are you open', 'opening times', 'what time do you open', 'are you open on saturday'],
  });
  await faqCreator(api.app, 'test', agent.id, {
    title: 'Delivery cost',
    answer: 'Delivery is free over 50 euros, 4.95 otherwise.',
    phrasings: ['how much is delivery', 'shipping cost', 'do you charge for shipping', 'delivery price'],
  });
  await faqCreator(api.app, 'test', agent.id, {
    title: 'Returns',
    answer: 'Return unused items within 30 days.',
    phrasings: [
      'can I return an item',
      'return policy',
      'how do I send something back',
      'refund for a return',
    ],
  });
  return agent;
}

const TEST_SET = [
  { text: 'When do you open?', label: 'Opening hours' },
  { text: 'what are your opening times', label: 'opening hours' },
  { text: 'How much does shipping cost?', label: 'Delivery cost' },
  { text: 'is delivery free', label: 'Delivery cost' },
  { text: 'How can I return my order?', label: 'Returns' },
  { text: 'what is your return policy', label: 'Returns' },
  { text: 'Do you sell electric scooters?', label: 'oos' },
  { text: 'I want to close my account', label: 'oos' },
]
  .map((r) => JSON.stringify(r))
  .join('\n');

const evaluate = (agent: AgentConfig, body: string | Buffer, type = 'application/x-ndjson', query = '') =>
  api.as('admin').post(`/api/agents/${agent.name}/evaluations${query}`, body, { 'content-type': type });

async function evaluationCount(agentId: string): Promise<number> {
  const [row] = await api.db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM evaluations WHERE agent_id = $1',
    [agentId],
  );
  return row!.n;
}

describe('POST /api/agents/:agent/evaluations', () => {
  it('reports the figures by out-of-scope share at the agent threshold, with its assumed share', async () => {
    const agent = await supportAgent(0.5);
    const res = await evaluate(agent, TEST_SET);
    expect(res.statusCode, res.body).toBe(201);
    const { report } = res.json();
    expect(report.oosShare).toBe(0.2);
    expect(report.byOosShare.map((r: { share: number }) => r.share)).toEqual([0, 0.1, 0.2, 0.3]);
    // 0%: the in-scope questions alone, as computeFigures counts them.
    const zero = report.byOosShare[0];
    expect(zero.questions).toBe(6);
    expect(zero.coverage).toBeCloseTo(report.coverage);
    // The setting is the agent's, checked from 0 to 0.5.
    const bad = await api.as('admin').patch(`/api/agents/${agent.name}`, { config: { oosShare: 0.7 } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.id).toBe('validation_failed');
    const ok = await api.as('admin').patch(`/api/agents/${agent.name}`, { config: { oosShare: 0.3 } });
    expect(ok.statusCode, ok.body).toBe(200);
    expect((await evaluate(agent, TEST_SET)).json().report.oosShare).toBe(0.3);
  });

  it('scores the test set at the agent threshold, draws the curve, suggests a threshold and records the evidence', async () => {
    const agent = await supportAgent(0.5);
    expect((await api.as('viewer').get(`/api/agents/${agent.name}/evaluations/latest`)).json()).toEqual({
      evaluation: null,
      report: null,
    });
    const res = await evaluate(agent, TEST_SET, 'application/x-ndjson', '?targetPrecision=0.9');
    expect(res.statusCode, res.body).toBe(201);
    const { evaluation, report } = res.json();
    expect(report).toMatchObject({ agent: agent.name, questions: 8, threshold: 0.5, targetPrecision: 0.9 });
    expect(report.oosCount).toBe(2);
    expect(evaluation.passed).toBe(report.answered > 0 && report.answeredPrecision >= 0.9);
    // The curve: ascending thresholds from 0 to 1 including the agent's own, and its point at 0.5 is the report's.
    const thresholds = report.curve.map((p: { threshold: number }) => p.threshold);
    expect(thresholds[0]).toBe(0);
    expect(thresholds.at(-1)).toBe(1);
    expect([...thresholds].sort((a: number, b: number) => a - b)).toEqual(thresholds);
    const atOwn = report.curve.find((p: { threshold: number }) => p.threshold === 0.5);
    expect(atOwn).toMatchObject({
      answeredPrecision: report.answeredPrecision,
      coverage: report.coverage,
      oosRecall: report.oosRecall,
    });
    // Coverage can only fall as the threshold rises.
    const coverages = report.curve.map((p: { coverage: number }) => p.coverage);
    for (let i = 1; i < coverages.length; i++) expect(coverages[i]).toBeLessThanOrEqual(coverages[i - 1]);
    if (report.suggestedThreshold !== null) {
      const at = report.curve.find((p: { threshold: number }) => p.threshold === report.suggestedThreshold);
      expect(at.answeredPrecision).toBeGreaterThanOrEqual(0.9);
    }
    // Recorded as evidence, audited, and readable by a viewer.
    expect(await evaluationCount(agent.id)).toBe(1);
    const latest = await api.as('viewer').get(`/api/agents/${agent.name}/evaluations/latest`);
    expect(latest.json()).toEqual({ evaluation, report });
    const facts = (await api.as('viewer').get(`/api/agents/${agent.name}/readiness`)).json().facts;
    expect(JSON.stringify(facts)).toMatch(/passed/);
  });

  it('refuses bad test sets with a stable id and records nothing', async () => {
    const agent = await supportAgent();
    const cases: [string | Buffer, string, number, string, RegExp][] = [
      ['', 'application/x-ndjson', 400, 'validation_failed', /send|empty/],
      ['{"text": "hi"}', 'application/x-ndjson', 400, 'validation_failed', /test set:1: "label" must be/],
      [`${TEST_SET}\nnot json`, 'application/x-ndjson', 400, 'validation_failed', /test set:9: invalid JSON/],
      ['{"text": "", "label": "Returns"}', 'application/x-ndjson', 400, 'validation_failed', /question 1/],
      [Buffer.from([0x7b, 0xff, 0x7d]), 'application/x-ndjson', 415, 'unsupported_media_type', /not UTF-8/],
      [TEST_SET, 'image/png', 415, 'unsupported_media_type', /Content-Types/],
      [Buffer.alloc(5 * 1024 * 1024 + 1, 0x20), 'application/x-ndjson', 413, 'payload_too_large', /limited/],
    ];
    for (const [body, type, status, id, message] of cases) {
      const res = await evaluate(agent, body, type);
      expect(res.statusCode, `${type}: ${res.body}`).toBe(status);
      expect(res.json().error).toMatchObject({ id, message: expect.stringMatching(message) });
    }
    expect((await evaluate(agent, TEST_SET, 'application/x-ndjson', '?targetPrecision=2')).statusCode).toBe(
      400,
    );
    expect(await evaluationCount(agent.id)).toBe(0);
  });

  it('is for admins, and for support agents only', async () => {
    const agent = await supportAgent();
    const asReviewer = await api
      .as('reviewer')
      .post(`/api/agents/${agent.name}/evaluations`, TEST_SET, { 'content-type': 'application/x-ndjson' });
    expect(asReviewer.statusCode).toBe(403);
    const other = await agentCreator(api.app, 'test', { kind: 'custom', name: `not-support-${++n}` });
    const res = await evaluate(other, TEST_SET);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/not a support agent/);
    expect((await evaluate({ ...agent, name: 'nobody' }, TEST_SET)).statusCode).toBe(404);
    expect(await evaluationCount(agent.id)).toBe(0);
  });
});

describe('GET /api/agents/:agent/evaluations/latest', () => {
  it('reads back evaluations recorded without a curve, or without figures at all', async () => {
    const agent = await supportAgent();
    const latest = async () =>
      (await api.as('viewer').get(`/api/agents/${agent.name}/evaluations/latest`)).json();
    await evaluationRecorder(api.app, 'test', agent.id, { kind: 'support', passed: true, report: {} });
    expect(await latest()).toMatchObject({ evaluation: { passed: true }, report: null });
    const older = { questions: 10, threshold: 0.6, answeredPrecision: 0.9, coverage: 0.7, oosRecall: 1 };
    await evaluationRecorder(api.app, 'test', agent.id, { kind: 'support', passed: false, report: older });
    expect((await latest()).report).toEqual({
      ...older,
      curve: [],
      suggestedThreshold: null,
      oosShare: null,
      byOosShare: [],
    });
  });
});

describe('agentEvaluator', () => {
  it('lets the event loop run between slices of a large test set', async () => {
    const agent = await supportAgent();
    const rows = Array.from({ length: 1200 }, (_, i) => ({
      text: i % 2 ? `when are you open ${i}` : `shipping cost ${i}`,
      label: i % 2 ? 'Opening hours' : 'Delivery cost',
    }));
    let ticks = 0;
    let done = false;
    const tick = () => {
      ticks++;
      if (!done) setImmediate(tick);
    };
    setImmediate(tick);
    let atFirst = -1;
    let atLast = -1;
    await agentEvaluator(api.app, 'test', agent, rows, {
      onProgress: (i, total) => {
        if (i === 0) atFirst = ticks;
        if (i === total) atLast = ticks;
      },
    });
    done = true;
    // Other callbacks ran while the questions were scored, not only before and after.
    expect(atLast - atFirst).toBeGreaterThanOrEqual(4);
  });
});

describe('thresholdCurve', () => {
  it('measures precision, coverage and OOS recall at each threshold, as the eval defines them', () => {
    const preds = [
      { label: 'a', predicted: 'a', confidence: 0.9 },
      { label: 'b', predicted: 'a', confidence: 0.7 },
      { label: 'oos', predicted: 'b', confidence: 0.5 },
      { label: 'b', predicted: 'b', confidence: 0.3 },
    ];
    const curve = thresholdCurve(preds, [0.55]);
    const at = (t: number) => curve.find((p) => p.threshold === t)!;
    expect(at(0)).toEqual({
      threshold: 0,
      answeredPrecision: 0.5,
      coverage: 2 / 3,
      oosRecall: 0,
      answered: 4,
    });
    expect(at(0.55)).toEqual({
      threshold: 0.55,
      answeredPrecision: 0.5,
      coverage: 1 / 3,
      oosRecall: 1,
      answered: 2,
    });
    expect(at(0.8)).toEqual({
      threshold: 0.8,
      answeredPrecision: 1,
      coverage: 1 / 3,
      oosRecall: 1,
      answered: 1,
    });
    expect(at(1)).toEqual({ threshold: 1, answeredPrecision: 1, coverage: 0, oosRecall: 1, answered: 0 });
    expect(curve).toHaveLength(52);
  });

  it('suggests halfway between the lowest threshold that reaches the target and the next lower confidence', () => {
    const preds = [
      { label: 'a', predicted: 'a', confidence: 0.9 },
      { label: 'b', predicted: 'a', confidence: 0.7 },
      { label: 'oos', predicted: 'b', confidence: 0.5 },
      { label: 'b', predicted: 'b', confidence: 0.3 },
      { label: 'c', predicted: null, confidence: 0 },
    ];
    // 0.9 is the lowest reaching 90%; the next lower confidence is 0.7: 0.8 answers the same questions here.
    expect(suggestThreshold(preds, 0.9)).toBe(0.8);
    // 0.3 reaches 50% and nothing answerable is lower: it stays.
    expect(suggestThreshold(preds, 0.5)).toBe(0.3);
    expect(suggestThreshold(preds, 1.01)).toBeNull();
    // Rounded up to 3 decimals; a gap narrower than that keeps the threshold itself.
    const pair = (hi: number, lo: number) => [
      { label: 'a', predicted: 'a', confidence: hi },
      { label: 'b', predicted: 'a', confidence: lo },
    ];
    expect(suggestThreshold(pair(0.9, 0.7001), 1)).toBe(0.801);
    expect(suggestThreshold(pair(0.5004, 0.5001), 1)).toBe(0.5004);
  });
});
