// A kind's brain inputs (RuntimeOptions.brainInputsFor): SQL the kind supplies, evaluated inside the statements the
// runtime sends anyway, reach its brain as BrainContext.inputs: `step` on every step, read by the statement that
// started that step; `start` on the first step of a run this node wrote, as the database was before the run; neither
// adds a round trip. A kind without inputs reads nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, type TestDb } from '../../test/support/db.ts';
import { buildTestRuntime } from '../../test/support/runtime.ts';
import type { Db, Queryable } from '../store/db.ts';
import type { ActionInput, BrainContext, BrainInputs } from './types.ts';

let db: TestDb;

beforeAll(async () => {
  db = await openTestDb();
});
afterAll(async () => {
  await db.dispose();
});

const INPUTS: BrainInputs = {
  step: `json_build_object('agent', a.name, 'stepsUsed', r.steps_used)`,
  start: `json_build_object('run', r.id, 'conversation', r.conversation_id,
    'messagesBefore', (SELECT count(*) FROM messages m WHERE m.conversation_id = r.conversation_id))`,
};

/** A Db that counts round trips (statements, and BEGIN and COMMIT of each transaction). */
function counting(base: Db): Db & { trips: number } {
  const wrap = (q: Queryable, c: { trips: number }): Queryable => ({
    query(sql, params) {
      c.trips++;
      return q.query(sql, params);
    },
    exec(sql) {
      c.trips++;
      return q.exec(sql);
    },
  });
  const counted = {
    trips: 0,
    driver: base.driver,
    ...(base.pglite ? { pglite: base.pglite } : {}),
    ...(base.pool ? { pool: base.pool } : {}),
    query: (sql: string, params?: unknown[]) => {
      counted.trips++;
      return base.query(sql, params);
    },
    exec: (sql: string) => {
      counted.trips++;
      return base.exec(sql);
    },
    transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      counted.trips += 2;
      return base.transaction((tx) => fn(wrap(tx, counted)));
    },
    close: () => base.close(),
  };
  return counted as Db & { trips: number };
}

/** A brain that records what it was given, then looks a record up once and finishes. */
function recording(seen: BrainContext['inputs'][]) {
  return (ctx: BrainContext): ActionInput => {
    seen.push(ctx.inputs);
    return ctx.history.length === 0
      ? { type: 'tool', name: 'lookup', args: { q: 'x' } }
      : { type: 'done', outcome: 'looked up' };
  };
}

describe('brain inputs from the agent kind', () => {
  it("hands the kind's step input to every step and its start input to the run's first step only", async () => {
    const t = buildTestRuntime(db, {
      brainInputsFor: (kind) => (kind === 'custom' ? INPUTS : undefined),
    });
    const seen: BrainContext['inputs'][] = [];
    const agent = await t.agent({ script: recording(seen) });
    const conversationId = `c-${Math.random()}`;
    const first = await t.runtime.startRun(agent.id, { type: 'message', text: 'hello', conversationId });
    expect(first.status).toBe('done');
    // The first step starts from the row of the statement that wrote the run: it sees the database before the run's
    // own customer message. The second starts from the tool call's outcome statement (the lease renewal).
    expect(seen).toEqual([
      {
        step: { agent: agent.name, stepsUsed: 0 },
        start: { run: first.id, conversation: conversationId, messagesBefore: 0 },
      },
      { step: { agent: agent.name, stepsUsed: 1 } },
    ]);
    seen.length = 0;
    const second = await t.runtime.startRun(agent.id, { type: 'message', text: 'again', conversationId });
    expect(seen[0]?.start).toEqual({ run: second.id, conversation: conversationId, messagesBefore: 1 });
  });

  it('leaves the start input out of a run driven again after an approval', async () => {
    const t = buildTestRuntime(db, { brainInputsFor: () => INPUTS });
    const seen: BrainContext['inputs'][] = [];
    const agent = await t.agent({
      mode: 'pilot',
      script: (ctx) => {
        seen.push(ctx.inputs);
        return ctx.history.length === 0
          ? { type: 'tool', name: 'book', args: { slot: 'mon 9' } }
          : { type: 'done', outcome: 'booked' };
      },
    });
    const run = await t.runtime.startRun(agent.id, { type: 'message', text: 'book me in' });
    expect(run.status).toBe('suspended');
    const [approval] = await db.query<{ id: string }>('SELECT id FROM approvals WHERE run_id = $1', [run.id]);
    await t.runtime.decideApproval(approval!.id, 'approve', 'user:test@example.com');
    expect(seen).toHaveLength(2);
    expect(seen[0]).toHaveProperty('start');
    // After the approved call ran, the next step reads its input from that call's outcome statement.
    expect(seen[1]).toEqual({ step: { agent: agent.name, stepsUsed: 1 } });
  });

  it('reads nothing for a kind without inputs', async () => {
    const t = buildTestRuntime(db, {
      brainInputsFor: (kind) => (kind === 'another-kind' ? INPUTS : undefined),
    });
    const seen: BrainContext['inputs'][] = [];
    const agent = await t.agent({ script: recording(seen) });
    await t.runtime.startRun(agent.id, {
      type: 'message',
      text: 'hello',
      conversationId: `c-${Math.random()}`,
    });
    expect(seen).toEqual([{}, {}]);
  });

  it('costs no round trip: a run that reads inputs sends as many statements as one that does not', async () => {
    const trips: number[] = [];
    const seen: BrainContext['inputs'][] = [];
    for (const brainInputsFor of [() => INPUTS, () => undefined]) {
      const counted = counting(db);
      const t = buildTestRuntime(counted, { brainInputsFor });
      const agent = await t.agent({ script: recording(seen) });
      const before = counted.trips;
      const run = await t.runtime.startRun(agent.id, {
        type: 'message',
        text: 'hello',
        conversationId: `c-${Math.random()}`,
      });
      expect(run.status).toBe('done');
      trips.push(counted.trips - before);
    }
    // The first run's brain had both inputs, the second's none; their statements were as many.
    expect(seen.map((inputs) => Object.keys(inputs).sort())).toEqual([['start', 'step'], ['step'], [], []]);
    expect(trips[0]).toBeGreaterThan(0);
    expect(trips[0]).toBe(trips[1]);
  });
});
