// Engines train ahead of questions, on every node (the platform's start hook for every kind with a knowledge base).
import { type EventBus, RESYNC_EVENT } from '../events/bus.ts';
import { type Log, silentLog } from '../events/log.ts';
import { PREPARE_DELAY_MS } from './engine-cache.ts';
import { reportEngines } from './engine-reports.ts';
import { KB_CHANGED } from './kb.ts';
import type { KnowledgeContext } from './knowledge.ts';

/**
 * The engines of agents with a knowledge base (Knowledge.kinds) train ahead of questions: every agent with a knowledge base at start (and again after the bus
 * lost notifications), then each agent whose KB changed, on whichever node, PREPARE_DELAY_MS after the change. A
 * question that comes first starts the training itself, as it always could. Each engine's status on this node is
 * written for the others to see (engine-reports.ts). Returns the stop.
 */
export function prepareEngines(
  app: KnowledgeContext,
  bus: EventBus,
  log: Log = silentLog,
): () => Promise<void> {
  const failed = (agentId: string) => (err: unknown) =>
    log.warn({ err, agentId }, 'training the knowledge-base engine failed; the next question tries again');
  const engines = app.knowledge.engines;
  const all = () =>
    app.db
      .query<{ agent_id: string }>(
        'SELECT s.agent_id FROM kb_state s JOIN agents a ON a.id = s.agent_id WHERE a.kind = ANY($1::text[])',
        [[...app.knowledge.kinds]],
      )
      .then(
        (rows) => {
          for (const r of rows) engines.prepare(app.db, r.agent_id, 0, failed(r.agent_id));
        },
        () => {},
      );
  // Before the first preparation, so the dashboard sees this node's trainings from the start.
  const stopReporting = reportEngines(app, log);
  const starting = all();
  const unsubscribe = bus.subscribe((e) => {
    if (e.type === KB_CHANGED && typeof e.agentId === 'string')
      engines.prepare(app.db, e.agentId, PREPARE_DELAY_MS, failed(e.agentId));
    else if (e.type === RESYNC_EVENT) void all();
  });
  return async () => {
    unsubscribe();
    await starting;
    await engines.close();
    await stopReporting();
  };
}
