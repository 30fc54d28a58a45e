// Each server's knowledge-base engines, as the other servers and the dashboard can see them. Engines are trained per
// process (EngineCache), so behind a load balancer one node may still train the KB version another already serves;
// the KB page's badge reads every node's row (GET /api/agents/NAME/kb/engine → `nodes`). A node writes its row for an
// agent whenever its engine status may have changed (EngineCache.onChange, batched for REPORT_BATCH_MS) and touches
// all of them every ENGINE_REPORT_MS; rows not touched for ENGINE_NODE_STALE_MS belong to a node that is gone and are
// not shown. Stopping deletes the node's rows.

import { type Log, silentLog } from '../events/log.ts';
import type { Queryable } from '../store/db.ts';
import type { EngineStatus } from './engine-cache.ts';
import type { KnowledgeContext } from './knowledge.ts';

export const ENGINE_REPORT_MS = 10_000;
export const ENGINE_NODE_STALE_MS = 60_000;
const REPORT_BATCH_MS = 100;

/** One node's engine for an agent, as the route presents it. */
export interface EngineNode {
  nodeId: string;
  /** The node that answered this request. */
  self: boolean;
  /** The KB version when the node last wrote (the current one may be newer: see `state`). */
  kbVersion: number;
  state: EngineStatus['state'];
  servingVersion: number | null;
  trainedAt: string | null;
  trainMs: number | null;
  trainingVersion: number | null;
  seenAt: string;
}

async function writeRow(q: Queryable, nodeId: string, agentId: string, s: EngineStatus): Promise<void> {
  await q.query(
    `INSERT INTO engine_nodes (node_id, agent_id, kb_version, state, serving_version, trained_at, train_ms, training_version, seen_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now())
     ON CONFLICT (agent_id, node_id) DO UPDATE SET kb_version = EXCLUDED.kb_version, state = EXCLUDED.state,
       serving_version = EXCLUDED.serving_version, trained_at = EXCLUDED.trained_at, train_ms = EXCLUDED.train_ms,
       training_version = EXCLUDED.training_version, seen_at = now()`,
    [
      nodeId,
      agentId,
      s.kbVersion,
      s.state,
      s.serving?.version ?? null,
      s.serving?.trainedAt ?? null,
      s.serving ? Math.round(s.serving.trainMs) : null,
      s.training?.version ?? null,
    ],
  );
}

/** Starts writing this node's engine rows; returns the stop (which deletes them). */
export function reportEngines(
  app: KnowledgeContext,
  log: Log = silentLog,
  options: { everyMs?: number } = {},
): () => Promise<void> {
  const known = new Set<string>();
  const dirty = new Set<string>();
  let timer: NodeJS.Timeout | null = null;
  let writing: Promise<void> = Promise.resolve();
  let closed = false;

  const flush = () => {
    timer = null;
    const agents = [...dirty];
    dirty.clear();
    writing = writing.then(async () => {
      for (const agentId of agents) {
        if (closed) return;
        try {
          await writeRow(app.db, app.nodeId, agentId, await app.knowledge.engines.status(app.db, agentId));
        } catch (err) {
          // A deleted agent's row cannot be written (its key is gone): stop touching it.
          known.delete(agentId);
          log.warn({ err, agentId }, 'could not record the engine status of this node');
        }
      }
    });
  };
  const mark = (agentId: string) => {
    if (closed) return;
    known.add(agentId);
    dirty.add(agentId);
    if (!timer) {
      timer = setTimeout(flush, REPORT_BATCH_MS);
      timer.unref();
    }
  };
  const unsubscribe = app.knowledge.engines.onChange(mark);
  const touch = setInterval(() => {
    for (const agentId of known) mark(agentId);
  }, options.everyMs ?? ENGINE_REPORT_MS);
  touch.unref();

  return async () => {
    closed = true;
    unsubscribe();
    clearInterval(touch);
    if (timer) clearTimeout(timer);
    await writing;
    await app.db.query('DELETE FROM engine_nodes WHERE node_id = $1', [app.nodeId]).catch(() => {});
  };
}

/** Every live node's row for the agent (touched within ENGINE_NODE_STALE_MS), by node id. */
export async function engineNodes(q: Queryable, agentId: string, selfId: string): Promise<EngineNode[]> {
  const rows = await q.query<{
    node_id: string;
    kb_version: number;
    state: EngineStatus['state'];
    serving_version: number | null;
    trained_at: Date | null;
    train_ms: number | null;
    training_version: number | null;
    seen_at: Date;
  }>(
    `SELECT node_id, kb_version, state, serving_version, trained_at, train_ms, training_version, seen_at
     FROM engine_nodes WHERE agent_id = $1 AND seen_at > now() - make_interval(secs => $2) ORDER BY node_id`,
    [agentId, ENGINE_NODE_STALE_MS / 1000],
  );
  const num = (v: number | null) => (v === null ? null : Number(v));
  return rows.map((r) => ({
    nodeId: r.node_id,
    self: r.node_id === selfId,
    kbVersion: Number(r.kb_version),
    state: r.state,
    servingVersion: num(r.serving_version),
    trainedAt: r.trained_at ? new Date(r.trained_at).toISOString() : null,
    trainMs: num(r.train_ms),
    trainingVersion: num(r.training_version),
    seenAt: new Date(r.seen_at).toISOString(),
  }));
}
