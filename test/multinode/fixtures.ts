// Fixtures for the jobs and multi-node tests: a custom agent in pilot mode whose scripted brain deletes a note
// (destructive, so every run stops for a human's approval), and helpers to wait on asynchronous effects.
import { randomUUID } from 'node:crypto';
import type { App } from '../../src/app.ts';
import { assessmentRecorder } from '../../src/readiness/assessments.ts';
import { agentCreator } from '../../src/runtime/agents.ts';
import type { AgentConfig } from '../../src/runtime/types.ts';
import type { Queryable } from '../../src/store/db.ts';

/** A note and a script that deletes it: the tool's effect is visible in demo_notes. */
export function deleteNoteScript(noteId: string) {
  return [{ type: 'tool', name: 'notes.delete', args: { id: noteId } }];
}

export async function insertNote(q: Queryable, agentId: string): Promise<string> {
  const [row] = await q.query<{ id: string }>(
    `INSERT INTO demo_notes (agent_id, body) VALUES ($1, 'to be deleted') RETURNING id`,
    [agentId],
  );
  return row!.id;
}

/** A custom agent assessed 3/3/3 (pilot): destructive tools wait for approval. */
export async function pilotAgent(app: App): Promise<AgentConfig> {
  const agent = await agentCreator(app, 'user:test@example.com', {
    kind: 'custom',
    name: `jobs-${randomUUID().slice(0, 8)}`,
    brain: 'scripted',
    config: { script: [] },
  });
  await assessmentRecorder(app, 'user:test@example.com', agent.id, {
    clarity: 3,
    tolerance: 3,
    fallback: 3,
    rationale: 'test agent',
  });
  return agent;
}

/** Starts a run that suspends on a notes.delete approval; returns the ids involved. */
export async function suspendedRun(
  app: App,
): Promise<{ agent: AgentConfig; runId: string; approvalId: string; noteId: string }> {
  const agent = await pilotAgent(app);
  const noteId = await insertNote(app.db, agent.id);
  await app.db.query('UPDATE agents SET config = $2 WHERE id = $1', [
    agent.id,
    JSON.stringify({ script: deleteNoteScript(noteId) }),
  ]);
  const run = await app.runtime.startRun(agent.id, { type: 'manual' });
  if (run.status !== 'suspended')
    throw new Error(`expected the run to wait for approval, it is ${run.status}`);
  const [approval] = await app.db.query<{ id: string }>('SELECT id FROM approvals WHERE run_id = $1', [
    run.id,
  ]);
  return { agent, runId: run.id, approvalId: approval!.id, noteId };
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | null | undefined | false>,
  timeoutMs = 10_000,
  everyMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
