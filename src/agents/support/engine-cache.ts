// One trained engine per agent and KB version, per process. The version lives in the database, so every node
// retrains after an edit made anywhere; training happens once per version, not per question.
import { createHash } from 'node:crypto';
import { LocalEngine, type TrainInput } from '../../engines/local/index.ts';
import type { Queryable } from '../../store/db.ts';
import { kbVersion } from './kb.ts';
import { runWorker } from './worker.ts';

export interface PassageInfo {
  id: string;
  articleId: string;
  title: string;
  source: string;
  heading: string;
  text: string;
}

export interface KbSnapshot {
  version: number;
  engine: LocalEngine;
  /**
   * Where the engine was trained: on this thread (small knowledge bases) or in a worker thread; `reused` when the
   * edit left everything the engine learns from as it was (an answer's text, tags), so the last one still holds.
   */
  trainedIn: 'thread' | 'worker' | 'reused';
  answers: Map<string, { title: string; answer: string }>;
  passages: Map<string, PassageInfo>;
}

/** The engine last trained for an agent and a digest of what it learned from. */
interface Trained {
  digest: string;
  engine: LocalEngine;
}

export class EngineCache {
  private readonly cache = new Map<string, Promise<KbSnapshot>>();
  private readonly trained = new Map<string, Trained>();

  /** The engine of the agent's current KB version; `version`: that version, when the caller has just read it. */
  async get(q: Queryable, agentId: string, version?: number): Promise<KbSnapshot> {
    version ??= await kbVersion(q, agentId);
    const key = `${agentId}@${version}`;
    let snap = this.cache.get(key);
    if (!snap) {
      for (const k of this.cache.keys()) if (k.startsWith(`${agentId}@`)) this.cache.delete(k);
      snap = build(q, agentId, version, this.trained);
      this.cache.set(key, snap);
      snap.catch(() => this.cache.delete(key));
    }
    return snap;
  }
}

async function build(
  q: Queryable,
  agentId: string,
  version: number,
  trained: Map<string, Trained>,
): Promise<KbSnapshot> {
  const entries = await q.query<{
    id: string;
    title: string;
    answer: string;
    phrasings: string[];
    tags: string[];
  }>('SELECT id, title, answer, phrasings, tags FROM kb_entries WHERE agent_id = $1 AND deleted_at IS NULL', [
    agentId,
  ]);
  const passages = await q.query<{
    id: string;
    article_id: string;
    title: string;
    source: string;
    heading: string;
    text: string;
  }>(
    `SELECT p.id, p.article_id, a.title, a.source, p.heading, p.text FROM kb_passages p JOIN kb_articles a ON a.id = p.article_id
     WHERE p.agent_id = $1 AND a.deleted_at IS NULL ORDER BY a.source, p.idx, p.id`,
    [agentId],
  );
  const input: TrainInput = {
    // The title is a phrasing too: real knowledge bases often have one or two phrasings per entry.
    entries: entries.map((e) => ({
      id: e.id,
      title: e.title,
      answer: e.answer,
      phrasings: [e.title, ...e.phrasings],
      tags: e.tags,
    })),
    // A passage is found by its article title and section heading too ("warranty" is rarely in the section text).
    passages: passages.map((p) => ({
      id: p.id,
      text: [p.title, p.heading, p.text].filter(Boolean).join('\n'),
      source: p.source,
    })),
  };
  // The engine learns from phrasings, titles and passages, not from answers: an edit of an answer's text (the
  // commonest edit) or of tags trains the same engine again, so the last one is reused (training is deterministic).
  const digest = createHash('sha256')
    .update(JSON.stringify(trainingView(input)))
    .digest('hex');
  const last = trained.get(agentId);
  let engine: LocalEngine;
  let trainedIn: KbSnapshot['trainedIn'];
  if (last?.digest === digest) {
    engine = last.engine;
    trainedIn = 'reused';
  } else {
    ({ engine, trainedIn } = await trainEngine(input));
    trained.set(agentId, { digest, engine });
  }
  return {
    version,
    engine,
    trainedIn,
    answers: new Map(entries.map((e) => [e.id, { title: e.title, answer: e.answer }])),
    passages: new Map(
      passages.map((p) => [
        p.id,
        {
          id: p.id,
          articleId: p.article_id,
          title: p.title,
          source: p.source,
          heading: p.heading,
          text: p.text,
        },
      ]),
    ),
  };
}

/** What training reads of its input: everything but answers and tags (see LocalEngine.train). */
function trainingView(input: TrainInput): unknown {
  return {
    entries: input.entries.map((e) => [e.id, e.title ?? null, e.phrasings]),
    passages: (input.passages ?? []).map((p) => [p.id, p.text, p.source ?? null]),
    negatives: input.negatives ?? [],
  };
}

/**
 * Knowledge bases with at least this many texts (phrasings, titles and passages) are trained in a worker thread:
 * on the main thread training would hold up every request, socket and webhook of the node meanwhile (measured on
 * banking77-oos subsets: 0.14 s for 67 phrasings, 0.8 s for 200, 1.1 s for 540 (small KBs get more passes), 4.3 s
 * for 8,790). A worker adds 0.2–0.5 s of start-up and snapshot copying, which only the smallest KBs (the samples
 * in examples/, many tests) are better off without.
 */
export const WORKER_TRAINING_TEXTS = 100;

/** Trains the engine: here for a small knowledge base, in a worker thread for a large one. */
export async function trainEngine(
  input: TrainInput,
  options: { workerFrom?: number } = {},
): Promise<{ engine: LocalEngine; trainedIn: 'thread' | 'worker' }> {
  const texts =
    input.entries.reduce((n, e) => n + e.phrasings.length + (e.title ? 1 : 0), 0) +
    (input.passages?.length ?? 0);
  if (texts < (options.workerFrom ?? WORKER_TRAINING_TEXTS))
    return { engine: LocalEngine.train(input), trainedIn: 'thread' };
  const snapshot = await runWorker<unknown>(new URL('./train-worker.mjs', import.meta.url), {
    workerData: { input },
    failed: (message) => new Error(`training failed: ${message ?? 'unknown error'}`),
    crashed: (err) => err,
    exited: (code) => new Error(`the training worker exited (code ${code}) without a result`),
  });
  return { engine: LocalEngine.fromJSON(snapshot), trainedIn: 'worker' };
}
