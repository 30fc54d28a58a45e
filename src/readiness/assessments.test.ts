// Readiness in the database: versioned, audited assessments, and evidence capping the mode the runtime enforces.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, type TestDb } from '../../test/support/db.ts';
import { SUPPORT_KIND } from '../agents/support/kind.ts';
import { type App, createApp } from '../app.ts';
import { agentCreator, agentUpdater } from '../runtime/agents.ts';
import { assessmentHistory, assessmentRecorder, evaluationRecorder, readinessOf } from './assessments.ts';

let db: TestDb;
let app: App;
beforeAll(async () => {
  db = await openTestDb();
  app = createApp(db);
});
afterAll(async () => {
  await db.dispose();
});

describe('readiness assessments', () => {
  it('stores assessments per agent as versions with who, when and why, and audits them [readiness:assessments-versioned-audited]', async () => {
    const agent = await agentCreator(app, 'user:owner@example.com', { kind: 'custom', name: 'versioned' });
    await assessmentRecorder(app, 'user:owner@example.com', agent.id, {
      clarity: 3,
      tolerance: 3,
      fallback: 3,
      rationale: 'first guess',
    });
    const second = await Promise.all([
      assessmentRecorder(app, 'user:a@example.com', agent.id, { clarity: 4, tolerance: 3, fallback: 5 }),
      assessmentRecorder(app, 'user:b@example.com', agent.id, { clarity: 5, tolerance: 4, fallback: 5 }),
    ]);
    expect(second.map((a) => a.version).sort()).toEqual([2, 3]);
    const history = await assessmentHistory(db, agent.id);
    expect(history.map((a) => a.version)).toEqual([3, 2, 1]);
    expect(history[2]).toMatchObject({
      total: 9,
      band: 'pilot',
      rationale: 'first guess',
      assessedBy: 'user:owner@example.com',
    });
    const events = await db.query<{ actor: string; payload: { version: number } }>(
      `SELECT actor, payload FROM audit_events WHERE stream = $1 AND action = 'readiness.assessed' ORDER BY seq`,
      [`agent:${agent.id}`],
    );
    expect(events.map((e) => e.payload.version).sort()).toEqual([1, 2, 3]);
    await expect(
      assessmentRecorder(app, 'x', agent.id, { clarity: 6, tolerance: 3, fallback: 3 }),
    ).rejects.toMatchObject({
      id: 'validation_failed',
    });
  });

  it('runs an agent without an assessment in shadow', async () => {
    const agent = await agentCreator(app, 'user:o@example.com', { kind: 'custom', name: 'unassessed' });
    const view = await readinessOf(db, agent, app.toolsFor(agent));
    expect(view.effectiveMode).toBe('shadow');
  });

  it('caps the declared band by what it can see, and the runtime enforces the lower mode [readiness:evidence-caps-mode]', async () => {
    let agent = await agentCreator(app, 'user:o@example.com', {
      kind: 'custom',
      name: 'evidence',
      brain: 'scripted',
      config: { script: [{ type: 'tool', name: 'notes.create', args: { body: 'hello' } }] },
    });
    await assessmentRecorder(app, 'user:o@example.com', agent.id, { clarity: 5, tolerance: 4, fallback: 5 });
    let view = await readinessOf(db, agent, app.toolsFor(agent));
    // No passing eval, no spend cap, nobody to take escalations: every layer counts as 3 → 9 → pilot.
    expect(view.evidence?.evidenceScores).toEqual({ clarity: 3, tolerance: 3, fallback: 3 });
    expect(view.effectiveMode).toBe('pilot');
    expect(view.reasons.join(' ')).toMatch(/clarity/);
    const run = await app.runtime.startRun(agent.id, { type: 'test' });
    expect(run).toMatchObject({ mode: 'pilot', status: 'suspended' });

    agent = await agentUpdater(app, 'user:o@example.com', agent.id, {
      spendCapCents: 500,
      escalationContacts: ['oncall@example.com'],
    });
    await evaluationRecorder(app, 'user:o@example.com', agent.id, {
      kind: SUPPORT_KIND,
      passed: true,
      report: { precision: 0.97 },
    });
    view = await readinessOf(db, agent, app.toolsFor(agent));
    expect(view.evidence?.checks.every((c) => c.passed)).toBe(true);
    expect(view.effectiveMode).toBe('production');
    const run2 = await app.runtime.startRun(agent.id, { type: 'test' });
    expect(run2).toMatchObject({ mode: 'production', status: 'done' });

    // A failing evaluation after that takes production away again.
    await evaluationRecorder(app, 'user:o@example.com', agent.id, {
      kind: SUPPORT_KIND,
      passed: false,
      report: {},
    });
    expect((await readinessOf(db, agent, app.toolsFor(agent))).effectiveMode).toBe('production');
    // 5/4/5 with clarity capped at 3 is 12: still ship. Declaring less shows the cap biting.
    await assessmentRecorder(app, 'user:o@example.com', agent.id, { clarity: 4, tolerance: 3, fallback: 5 });
    expect((await readinessOf(db, agent, app.toolsFor(agent))).effectiveMode).toBe('pilot');
  });
});
