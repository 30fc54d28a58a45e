// One trained engine per agent and KB version, per process. The version lives in the database, so every node
// retrains after an edit made anywhere; training happens once per version, not per question.
import { createHash } from 'node:crypto';
import type { LocalEngine, TrainInput } from '../../engines/local/index.ts';
import type { Queryable } from '../../store/db.ts';
import { kbVersion } from './kb.ts';
import { trainEngine } from './train.ts';

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
  /** Article id → title, for the articles that have passages. */
  articleTitles: Map<string, string>;
}

/** The engine last trained for an agent and a digest of what it learned from. */
interface Trained {
  digest: string;
  engine: LocalEngine;
}

export class EngineCache {
  private readonly cache = new Map<string, Promise<KbSnapshot>>();
  private readonly trained = new Map<string, Trained>();
  private readonly newest = new Map<string, KbSnapshot>();

  /** The engine of the agent's current KB version; `version`: that version, when the caller has just read it. */
  async get(q: Queryable, agentId: string, version?: number): Promise<KbSnapshot> {
    version ??= await kbVersion(q, agentId);
    const key = `${agentId}@${version}`;
    let snap = this.cache.get(key);
    if (!snap) {
      for (const k of this.cache.keys()) if (k.startsWith(`${agentId}@`)) this.cache.delete(k);
      snap = build(q, agentId, version, this.trained);
      this.cache.set(key, snap);
      snap.then(
        (s) => {
          const known = this.newest.get(agentId);
          if (!known || known.version <= s.version) this.newest.set(agentId, s);
        },
        () => this.cache.delete(key),
      );
    }
    return snap;
  }

  /**
   * The newest snapshot this node has built for the agent, without a read: the one that answered its last question,
   * unless the KB changed since (then older than the KB, which suits what only labels an answer already given).
   */
  latest(agentId: string): KbSnapshot | undefined {
    return this.newest.get(agentId);
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
    // The engine matches on the title as one more phrasing (real knowledge bases often have one or two phrasings per
    // entry), as it does for the entries `twelve eval support` builds from labels.
    entries: entries.map((e) => ({
      id: e.id,
      title: e.title,
      answer: e.answer,
      phrasings: e.phrasings,
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
    articleTitles: new Map(passages.map((p) => [p.article_id, p.title])),
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
