// Engines train ahead of questions, on every node (the support kind's start hook).
import { type EventBus, RESYNC_EVENT } from '../../events/bus.ts';
import { type Log, silentLog } from '../../events/log.ts';
import { PREPARE_DELAY_MS } from './engine-cache.ts';
import { reportEngines } from './engine-reports.ts';
import { KB_CHANGED } from './kb.ts';
import { SUPPORT_KIND, type SupportContext } from './kind.ts';

/**
 * Support agents' engines train ahead of questions: every agent with a knowledge base at start (and again after the bus
 * lost notifications), then each agent whose KB changed, on whichever node, PREPARE_DELAY_MS after the change. A
 * question that comes first starts the training itself, as it always could. Each engine's status on this node is
 * written for the others to see (engine-reports.ts). Returns the stop.
 */
export function prepareEngines(
  app: SupportContext,
  bus: EventBus,
  log: Log = silentLog,
): () => Promise<void> {
  const failed = (agentId: string) => (err: unknown) =>
    log.warn({ err, agentId }, 'training the support engine failed; the next question tries again');
  const all = () =>
    app.db
      .query<{ agent_id: string }>(
        `SELECT s.agent_id FROM kb_state s JOIN agents a ON a.id = s.agent_id WHERE a.kind = '${SUPPORT_KIND}'`,
      )
      .then(
        (rows) => {
          for (const r of rows) app.engines.prepare(app.db, r.agent_id, 0, failed(r.agent_id));
        },
        () => {},
      );
  // Before the first preparation, so the dashboard sees this node's trainings from the start.
  const stopReporting = reportEngines(app, log);
  const starting = all();
  const unsubscribe = bus.subscribe((e) => {
    if (e.type === KB_CHANGED && typeof e.agentId === 'string')
      app.engines.prepare(app.db, e.agentId, PREPARE_DELAY_MS, failed(e.agentId));
    else if (e.type === RESYNC_EVENT) void all();
  });
  return async () => {
    unsubscribe();
    await starting;
    await app.engines.close();
    await stopReporting();
  };
}
