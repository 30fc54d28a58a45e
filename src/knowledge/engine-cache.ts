// One trained engine per agent and KB version, per process. The version lives in the database, so every node
// retrains after an edit made anywhere; training happens once per version, not per question. While a large KB
// retrains (seconds, in a worker), questions that may be answered by the engine before it wait only STALE_GRACE_MS,
// then get the last engine with the new KB's answers (see `answering`).
import { createHash } from 'node:crypto';
import type { LocalEngine, TrainInput } from '../engines/local/index.ts';
import type { Queryable } from '../store/db.ts';
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
   * edit left everything the engine learns from as it was (an answer's text, tags), so the last one still holds;
   * `stale` when the engine is the last one while this version's still trains (see EngineCache.answering).
   */
  trainedIn: 'thread' | 'worker' | 'reused' | 'stale';
  /** The KB version whose phrasings, titles and passages the engine learned: `version`, unless stale. */
  engineVersion: number;
  answers: Map<string, { title: string; answer: string }>;
  passages: Map<string, PassageInfo>;
  /** Article id → title, for the articles that have passages. */
  articleTitles: Map<string, string>;
}

/** The engine last trained for an agent and a digest of what it learned from. */
interface Trained {
  digest: string;
  engine: LocalEngine;
  version: number;
  trainedIn: 'thread' | 'worker';
  /** Wall time of the training, and when it finished (ms since the epoch). */
  trainMs: number;
  at: number;
}

/**
 * What answers an agent's questions on this node (the engines are per process: another node may be further on or
 * behind), for the dashboard: after an edit the new version trains, and until it is in, questions get the last
 * engine (`answering`).
 */
export interface EngineStatus {
  /** The KB version in the database. */
  kbVersion: number;
  /**
   * `ready`: the current version's engine answers. `training`: it is training, or a preparation will train it (its
   * delay or its turn is running); the last engine answers meanwhile (or, with none on this node yet, questions wait).
   * `pending`: nothing trains it yet; the next question or `prepare` will.
   */
  state: 'ready' | 'training' | 'pending';
  /** The newest snapshot built on this node: the KB version it serves and the version its engine learned from. */
  serving: {
    version: number;
    engineVersion: number;
    trainedIn: 'thread' | 'worker';
    trainMs: number;
    trainedAt: string;
  } | null;
  training: { version: number; since: string } | null;
}

/**
 * How long a question waits for its agent's retrain before the last engine answers it (EngineCache.answering). A
 * small KB trains on this thread in well under a second and is never stale; a large one trains in a worker for
 * seconds (about 5 s at 8,790 phrasings), which every conversation of the agent would otherwise wait out after
 * each edit, such as the inbox's one-click "add as a phrasing".
 */
export const STALE_GRACE_MS = 250;

/** One KB version: its read (fast) and its snapshot (after training, unless reused). */
interface Build {
  version: number;
  read: Promise<KbRead>;
  snap: Promise<KbSnapshot>;
  /** The snapshot, once built: a question asked after that needs no wait and no check. */
  built?: KbSnapshot;
  /** When the build started (ms since the epoch). */
  since: number;
}

/**
 * How long after a KB change a server starts its retrain (EngineCache.prepare): each change of the burst restarts
 * the wait, so importing a folder of articles trains once, not once per file.
 */
export const PREPARE_DELAY_MS = 300;

export class EngineCache {
  private readonly cache = new Map<string, Build>();
  private readonly trained = new Map<string, Trained>();
  private readonly newest = new Map<string, KbSnapshot>();
  /** Preparations waiting out their delay, per agent, and the reads of those running (see close). */
  private readonly pending = new Map<string, NodeJS.Timeout>();
  private readonly reading = new Set<Promise<unknown>>();
  /** The preparations, one after the other. */
  private queue: Promise<void> = Promise.resolve();
  /** Agents with a preparation waiting (its delay, or its turn), and since when. */
  private readonly scheduled = new Map<string, number>();
  private closed = false;
  private readonly listeners = new Set<(agentId: string) => void>();

  private readonly staleGraceMs: number;
  private readonly workerFrom: number | undefined;

  /** `workerFrom`: see trainEngine (tests train small KBs in workers with it). */
  constructor(options: { staleGraceMs?: number; workerFrom?: number } = {}) {
    this.staleGraceMs = options.staleGraceMs ?? STALE_GRACE_MS;
    this.workerFrom = options.workerFrom;
  }

  /** The engine of the agent's current KB version; `version`: that version, when the caller has just read it. */
  get(q: Queryable, agentId: string, version?: number): Promise<KbSnapshot> {
    return this.start(q, agentId, version).then((b) => b.snap);
  }

  /**
   * What answers a question: the current version's snapshot, or, when that is still training after the grace time
   * and this node has an engine of an earlier version, a stale snapshot: the last engine with the current version's
   * answers, passages and titles. A matched entry or passage the edit deleted is not in them, which answerFrom
   * reports as no answer (confidence 0); an entry's new phrasings are matched once the new engine is in. The
   * evaluation and anything else that reports on the KB use `get`.
   */
  async answering(q: Queryable, agentId: string, version?: number): Promise<KbSnapshot> {
    const build = await this.start(q, agentId, version);
    if (build.built) return build.built;
    const last = this.trained.get(agentId);
    const read = await build.read;
    if (!last || last.digest === read.digest) return build.snap;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<null>((resolve) => {
      timer = setTimeout(resolve, this.staleGraceMs, null);
    });
    const done = await Promise.race([build.snap, late]).finally(() => clearTimeout(timer));
    return done ?? snapshotOf(read, last.engine, 'stale', build.version, last.version);
  }

  /**
   * Trains the agent's current KB version ahead of its next question, `delayMs` from now; another call within that
   * time starts the wait again. Preparations train one at a time, so a server starting with many agents does not
   * train them all at once (a question still starts its own agent's training at once). A failure goes to `onError`;
   * the next question retries and reports it.
   */
  prepare(q: Queryable, agentId: string, delayMs = 0, onError?: (err: unknown) => void): void {
    if (this.closed) return;
    clearTimeout(this.pending.get(agentId));
    if (!this.scheduled.has(agentId)) {
      this.scheduled.set(agentId, Date.now());
      this.changed(agentId);
    }
    const timer = setTimeout(() => {
      this.pending.delete(agentId);
      this.queue = this.queue.then(async () => {
        if (this.closed) return;
        const started = this.start(q, agentId);
        // From here on the build says whether it trains.
        void started.finally(() => this.scheduled.delete(agentId)).catch(() => {});
        const read = started.then(async (b) => {
          await b.read;
          return b;
        });
        const tracked = read.then(
          () => {},
          () => {},
        );
        this.reading.add(tracked);
        void tracked.finally(() => this.reading.delete(tracked));
        try {
          await (await read).snap;
        } catch (err) {
          if (!this.closed) onError?.(err);
        }
      });
    }, delayMs);
    timer.unref();
    this.pending.set(agentId, timer);
  }

  /**
   * Stops preparing: waiting preparations are dropped and running ones are awaited until they have read the
   * database (which may close next); a training already under way finishes on its own.
   */
  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.pending.values()) clearTimeout(t);
    this.pending.clear();
    this.scheduled.clear();
    await Promise.all(this.reading);
  }

  /**
   * Calls `listener` with the agent's id whenever what `status` says of it may have changed: a preparation is
   * scheduled, a training starts, ends or fails. Returns the unsubscribe.
   */
  onChange(listener: (agentId: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(agentId: string): void {
    for (const l of this.listeners) {
      try {
        l(agentId);
      } catch {
        // A listener's failure is its own; the cache goes on.
      }
    }
  }

  async status(q: Queryable, agentId: string): Promise<EngineStatus> {
    const version = await kbVersion(q, agentId);
    const build = this.cache.get(`${agentId}@${version}`);
    const snap = this.newest.get(agentId);
    const last = this.trained.get(agentId);
    const serving =
      snap && last
        ? {
            version: snap.version,
            engineVersion: snap.engineVersion,
            trainedIn: last.trainedIn,
            trainMs: last.trainMs,
            trainedAt: new Date(last.at).toISOString(),
          }
        : null;
    const since =
      build && !build.built
        ? build.since
        : snap?.version !== version
          ? this.scheduled.get(agentId)
          : undefined;
    // A preparation waiting its delay or its turn counts as training: the server will train without a question.
    const training = since !== undefined ? { version, since: new Date(since).toISOString() } : null;
    const state = snap?.version === version ? 'ready' : training ? 'training' : 'pending';
    return { kbVersion: version, state, serving, training };
  }

  private async start(q: Queryable, agentId: string, version?: number): Promise<Build> {
    version ??= await kbVersion(q, agentId);
    const key = `${agentId}@${version}`;
    let b = this.cache.get(key);
    if (!b) {
      for (const k of this.cache.keys()) if (k.startsWith(`${agentId}@`)) this.cache.delete(k);
      const read = readKb(q, agentId);
      const at = version;
      const snap = read.then((r) => train(r, agentId, at, this.trained, this.workerFrom));
      const build: Build = { version, read, snap, since: Date.now() };
      b = build;
      this.cache.set(key, build);
      snap.then(
        (s) => {
          build.built = s;
          const known = this.newest.get(agentId);
          if (!known || known.version <= s.version) this.newest.set(agentId, s);
          this.changed(agentId);
        },
        () => {
          if (this.cache.get(key) === build) this.cache.delete(key);
          this.changed(agentId);
        },
      );
      this.changed(agentId);
      // A failed read fails the snapshot too; both are awaited by whoever asked.
      read.catch(() => {});
    }
    return b;
  }

  /**
   * The newest snapshot this node has built for the agent, without a read: the one that answered its last question,
   * unless the KB changed since (then older than the KB, which suits what only labels an answer already given).
   */
  latest(agentId: string): KbSnapshot | undefined {
    return this.newest.get(agentId);
  }
}

/** What a KB version holds, read from the database: the engine's training input and what answers show. */
interface KbRead {
  input: TrainInput;
  /** Digest of what training reads of the input (trainingView). */
  digest: string;
  answers: KbSnapshot['answers'];
  passages: KbSnapshot['passages'];
  articleTitles: KbSnapshot['articleTitles'];
}

async function readKb(q: Queryable, agentId: string): Promise<KbRead> {
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
  // Questions a person said must go to a person ("Wrong answer" in the inbox): never answered, and their
  // neighbours lose confidence.
  const escalate = await q.query<{ text: string }>(
    'SELECT text FROM kb_escalate_questions WHERE agent_id = $1 AND deleted_at IS NULL ORDER BY created_at, id',
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
    ...(escalate.length ? { negatives: escalate.map((e) => e.text) } : {}),
  };
  return {
    input,
    // The engine learns from phrasings, titles and passages, not from answers: an edit of an answer's text (the
    // commonest edit) or of tags trains the same engine again, so the last one is reused (training is deterministic).
    digest: createHash('sha256')
      .update(JSON.stringify(trainingView(input)))
      .digest('hex'),
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

async function train(
  read: KbRead,
  agentId: string,
  version: number,
  trained: Map<string, Trained>,
  workerFrom: number | undefined,
): Promise<KbSnapshot> {
  const last = trained.get(agentId);
  if (last?.digest === read.digest) return snapshotOf(read, last.engine, 'reused', version);
  const started = performance.now();
  const { engine, trainedIn } = await trainEngine(read.input, workerFrom !== undefined ? { workerFrom } : {});
  const trainMs = performance.now() - started;
  // A slower training of an older version must not replace a newer one's engine.
  const now = trained.get(agentId);
  if (!now || now.version <= version)
    trained.set(agentId, { digest: read.digest, engine, version, trainedIn, trainMs, at: Date.now() });
  return snapshotOf(read, engine, trainedIn, version);
}

function snapshotOf(
  read: KbRead,
  engine: LocalEngine,
  trainedIn: KbSnapshot['trainedIn'],
  version: number,
  engineVersion = version,
): KbSnapshot {
  return {
    version,
    engine,
    trainedIn,
    engineVersion,
    answers: read.answers,
    passages: read.passages,
    articleTitles: read.articleTitles,
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
