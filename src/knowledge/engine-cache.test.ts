// Training off the main thread: a large knowledge base trains in a worker thread and comes back as the same engine.
// Retraining only when it matters: an edit that leaves what the engine learns from as it was reuses the engine.
// Training ahead of questions (prepare) once per burst of edits, and the status a dashboard shows meanwhile.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openTestDb, type TestDb } from '../../test/support/db.ts';
import { type App, createApp } from '../app.ts';
import { LocalEngine, type TrainInput } from '../engines/local/index.ts';
import { openEventBus } from '../events/bus.ts';
import { agentCreator } from '../runtime/agents.ts';
import type { Queryable } from '../store/db.ts';
import { answerFrom } from './answer.ts';
import { EngineCache, STALE_GRACE_MS } from './engine-cache.ts';
import { prepareEngines } from './engines.ts';
import { articleImporter, faqCreator, faqDeleter, faqUpdater, kbVersion, phrasingAdder } from './kb.ts';
import { calibrateInWorker, trainEngine, trainHere, WORKER_TRAINING_TEXTS } from './train.ts';

const input: TrainInput = {
  entries: [
    {
      id: 'hours',
      title: 'Opening hours',
      answer: 'Nine to five.',
      phrasings: ['When are you open?', 'opening hours'],
    },
    { id: 'refund', answer: 'Five days.', phrasings: ['How do I get a refund?', 'I want my money back'] },
    { id: 'ship', answer: 'Free above 50.', phrasings: ['How much is shipping?', 'delivery fees'] },
  ],
  passages: [{ id: 'p1', text: 'Parcels travel with DHL and arrive within three days.' }],
  negatives: ['close my account'],
};

describe('trainEngine', () => {
  it('trains a small knowledge base on this thread', async () => {
    const r = await trainEngine(input);
    expect(8).toBeLessThan(WORKER_TRAINING_TEXTS); // 6 phrasings, 1 title, 1 passage
    expect(r.trainedIn).toBe('thread');
  });

  it('trains in a worker thread from the threshold on, to the same engine', async () => {
    const here = LocalEngine.train(input);
    const r = await trainEngine(input, { workerFrom: 1 });
    expect(r.trainedIn).toBe('worker');
    expect(JSON.stringify(r.engine.toJSON())).toBe(JSON.stringify(here.toJSON()));
    for (const q of ['when do you open', 'refund please', 'dhl parcel', 'close my account', 'zzz']) {
      expect(r.engine.match(q, 3)).toEqual(here.match(q, 3));
    }
  });

  it('reports a training that fails in the worker as an error', async () => {
    const broken = { entries: [{ id: 'x', answer: 'y', phrasings: 42 }] } as unknown as TrainInput;
    await expect(trainEngine(broken, { workerFrom: 0 })).rejects.toThrow(/training failed/);
  });
});

// Six topics, seven phrasings each, and questions to escalate: enough for calibration rounds (20+ texts, 3+ entries).
const TOPICS = ['card', 'refund', 'shipping', 'password', 'invoice', 'warranty'];
const calibrated: TrainInput = {
  entries: TOPICS.map((t) => ({
    id: t,
    title: `About the ${t}`,
    answer: `All about the ${t}.`,
    phrasings: [
      `question about my ${t}`,
      `help with the ${t} please`,
      `${t} problem`,
      `where is my ${t}`,
      `how does the ${t} work`,
      `my ${t} is wrong`,
      `can you explain the ${t}`,
    ],
  })),
  negatives: ['close my account', 'I want to complain', 'speak to a lawyer'],
};

describe('calibration rounds in worker threads', () => {
  it('train the same engine, bit for bit, as rounds on this thread', async () => {
    const here = LocalEngine.train(calibrated, { seed: 5 });
    let rounds = 0;
    const parallel = await LocalEngine.trainParallel(calibrated, { seed: 5 }, (job) => {
      rounds++;
      return calibrateInWorker(job);
    });
    expect(rounds).toBeGreaterThan(1);
    expect(JSON.stringify(parallel.toJSON())).toBe(JSON.stringify(here.toJSON()));
    expect(parallel.match('my invoice is wrong', 3)).toEqual(here.match('my invoice is wrong', 3));
  });

  it('are what a large KB gets from trainHere, and from the training worker (workers in a worker)', async () => {
    const here = JSON.stringify(LocalEngine.train(calibrated, { seed: 5 }).toJSON());
    const direct = await trainHere(calibrated, { seed: 5 }, { parallelFrom: 1 });
    expect(JSON.stringify(direct.toJSON())).toBe(here);
    const nested = await trainEngine(calibrated, { seed: 5, workerFrom: 1, parallelFrom: 1 });
    expect(nested.trainedIn).toBe('worker');
    expect(JSON.stringify(nested.engine.toJSON())).toBe(here);
  });

  it('fail the training when a round fails', async () => {
    await expect(
      LocalEngine.trainParallel(calibrated, {}, async () => {
        throw new Error('round lost');
      }),
    ).rejects.toThrow('round lost');
  });
});

describe('EngineCache', () => {
  const EDITOR = 'user:editor@example.com';
  let db: TestDb;
  let app: App;
  let agentId = '';
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    db = await openTestDb();
    app = createApp(db);
    agentId = (await agentCreator(app, 'user:admin@example.com', { kind: 'support', name: 'cache' })).id;
    for (const [key, e] of Object.entries(input.entries)) {
      ids[key] = (
        await faqCreator(app, EDITOR, agentId, {
          title: e.title ?? e.id,
          answer: e.answer,
          phrasings: e.phrasings,
        })
      ).id;
    }
  });

  afterAll(async () => {
    await db.dispose();
  });

  it('reuses the engine when an edit leaves phrasings, titles and passages as they were', async () => {
    const cache = new EngineCache();
    const first = await cache.get(db, agentId);
    expect(first.trainedIn).toBe('thread');

    await faqUpdater(app, EDITOR, ids['0']!, { answer: 'Eight to six, every day.', tags: ['hours'] });
    const answerEdit = await cache.get(db, agentId);
    expect(answerEdit.version).toBeGreaterThan(first.version);
    expect(answerEdit.trainedIn).toBe('reused');
    expect(answerEdit.engine).toBe(first.engine);
    // The answer given is the edited one: answers are read with every version, only the engine is kept.
    expect(answerFrom(answerEdit, 'when do you open').text).toBe('Eight to six, every day.');

    await phrasingAdder(app, EDITOR, ids['1']!, 'can I have my money back');
    const phrasingEdit = await cache.get(db, agentId);
    expect(phrasingEdit.trainedIn).toBe('thread');
    expect(phrasingEdit.engine).not.toBe(first.engine);

    await faqUpdater(app, EDITOR, ids['2']!, { title: 'Delivery prices' });
    const titleEdit = await cache.get(db, agentId);
    expect(titleEdit.trainedIn).toBe('thread');

    await articleImporter(app, EDITOR, agentId, {
      source: 'care.md',
      title: 'Care',
      format: 'markdown',
      text: '# Care\n\nClean the chain every month with a dry rag.',
    });
    const article = await cache.get(db, agentId);
    expect(article.trainedIn).toBe('thread');
    expect(answerFrom(article, 'how often should I clean the chain').sources[0]).toMatch(/^article:/);

    await faqDeleter(app, EDITOR, ids['2']!);
    const deleted = await cache.get(db, agentId);
    expect(deleted.trainedIn).toBe('thread');
    expect(deleted.answers.has(ids['2']!)).toBe(false);
    expect(answerFrom(deleted, 'How much is shipping?').topic).not.toBe(ids['2']);
  });

  it('a second cache (another node) trains once, then reuses on an answer edit', async () => {
    const other = new EngineCache();
    expect((await other.get(db, agentId)).trainedIn).toBe('thread');
    await faqUpdater(app, EDITOR, ids['1']!, { answer: 'Refunds take three days.' });
    expect((await other.get(db, agentId)).trainedIn).toBe('reused');
  });

  describe('prepare (servers train after an edit, before any question)', () => {
    let prepAgent = '';
    let hoursId = '';

    beforeAll(async () => {
      prepAgent = (await agentCreator(app, 'user:admin@example.com', { kind: 'support', name: 'prepare' }))
        .id;
      for (const e of input.entries) {
        const id = (
          await faqCreator(app, EDITOR, prepAgent, {
            title: e.title ?? e.id,
            answer: e.answer,
            phrasings: e.phrasings,
          })
        ).id;
        if (e.id === 'hours') hoursId = id;
      }
    });

    /** The database, counting the KB reads (one per training) of the agent. */
    /** The database, counting the KB reads (one per training) of an agent (by default the one of these tests). */
    function counted() {
      const reads = new Map<unknown, number>();
      const q: Queryable = {
        query: (sql, params) => {
          if (sql.includes('FROM kb_entries')) reads.set(params?.[0], (reads.get(params?.[0]) ?? 0) + 1);
          return db.query(sql, params);
        },
        exec: (sql) => db.exec(sql),
      };
      return { q, reads: (agent = prepAgent) => reads.get(agent) ?? 0 };
    }

    it('trains the current version once per burst of calls, and the status follows it', async () => {
      const cache = new EngineCache({ workerFrom: 1 });
      const { q, reads } = counted();
      const version = await kbVersion(db, prepAgent);
      expect(await cache.status(db, prepAgent)).toEqual({
        kbVersion: version,
        state: 'pending',
        serving: null,
        training: null,
      });
      for (let i = 0; i < 5; i++) cache.prepare(q, prepAgent, 20);
      await vi.waitFor(async () => expect((await cache.status(db, prepAgent)).state).toBe('training'), {
        timeout: 10_000,
      });
      await vi.waitFor(async () => expect((await cache.status(db, prepAgent)).state).toBe('ready'), {
        timeout: 30_000,
      });
      const ready = await cache.status(db, prepAgent);
      expect(ready.serving).toMatchObject({ version, engineVersion: version, trainedIn: 'worker' });
      expect(ready.serving!.trainMs).toBeGreaterThan(0);
      expect(ready.training).toBeNull();
      expect(reads()).toBe(1);
      // The question that follows finds the engine in: no training of its own.
      const snap = await cache.answering(q, prepAgent);
      expect(snap.trainedIn).toBe('worker');
      expect(reads()).toBe(1);

      // After an edit: pending until prepared, then training while the last engine serves, then ready.
      await phrasingAdder(app, EDITOR, hoursId, 'what time do you close');
      const edited = await cache.status(db, prepAgent);
      expect(edited).toMatchObject({ kbVersion: version + 1, state: 'pending', serving: { version } });
      cache.prepare(q, prepAgent);
      await vi.waitFor(
        async () =>
          expect(await cache.status(db, prepAgent)).toMatchObject({
            state: 'training',
            serving: { version },
            training: { version: version + 1 },
          }),
        { timeout: 10_000 },
      );
      await vi.waitFor(async () => expect((await cache.status(db, prepAgent)).state).toBe('ready'), {
        timeout: 30_000,
      });
      expect((await cache.status(db, prepAgent)).serving).toMatchObject({ version: version + 1 });
      expect(reads()).toBe(2);
    });

    it('trains one prepared agent at a time, and reports a failure', async () => {
      const second = (
        await agentCreator(app, 'user:admin@example.com', { kind: 'support', name: 'prepare-2' })
      ).id;
      for (const e of input.entries)
        await faqCreator(app, EDITOR, second, {
          title: e.title ?? e.id,
          answer: e.answer,
          phrasings: e.phrasings,
        });
      const cache = new EngineCache({ workerFrom: 1 });
      const { q, reads } = counted();
      cache.prepare(q, prepAgent);
      cache.prepare(q, second);
      // Waiting for its turn counts as training: the server will train it without a question.
      expect((await cache.status(db, second)).state).toBe('training');
      let overlapChecked = false;
      await vi.waitFor(
        async () => {
          const started = reads(prepAgent) > 0;
          const a1 = await cache.status(db, prepAgent);
          const secondReads = reads(second);
          const a2 = await cache.status(db, prepAgent);
          // The first had started and was still training after the second was looked at: that one had not started.
          if (started && a1.state === 'training' && a2.state === 'training') {
            expect(secondReads).toBe(0);
            overlapChecked = true;
          }
          expect((await cache.status(db, second)).state).toBe('ready');
        },
        { timeout: 30_000, interval: 20 },
      );
      expect(overlapChecked).toBe(true);
      expect(reads(second)).toBe(1);
      expect((await cache.status(db, prepAgent)).state).toBe('ready');

      const errors: unknown[] = [];
      const broken: Queryable = {
        query: () => Promise.reject(new Error('connection lost')),
        exec: () => Promise.reject(new Error('connection lost')),
      };
      cache.prepare(broken, prepAgent, 0, (err) => errors.push(err));
      await vi.waitFor(() => expect(errors).toHaveLength(1));
      expect(String(errors[0])).toMatch(/connection lost/);
    });

    it('prepareEngines: a starting server trains every support KB, then each KB that changes, with no question', async () => {
      const node = createApp(db);
      const bus = await openEventBus(db);
      const stop = prepareEngines(node, bus);
      try {
        const version = await kbVersion(db, prepAgent);
        await vi.waitFor(
          async () =>
            expect(await node.knowledge.engines.status(db, prepAgent)).toMatchObject({
              state: 'ready',
              serving: { version },
            }),
          { timeout: 30_000 },
        );
        // An edit made elsewhere (another app on the same database) reaches this one as kb.changed.
        await phrasingAdder(app, EDITOR, hoursId, 'are you open on sundays');
        await vi.waitFor(
          async () =>
            expect(await node.knowledge.engines.status(db, prepAgent)).toMatchObject({
              state: 'ready',
              serving: { version: version + 1 },
            }),
          { timeout: 30_000 },
        );
      } finally {
        await stop();
        await bus.close();
      }
    });

    it('does nothing once closed, and close drops a preparation still waiting', async () => {
      const cache = new EngineCache();
      const { q, reads } = counted();
      cache.prepare(q, prepAgent, 50);
      await cache.close();
      cache.prepare(q, prepAgent);
      await new Promise((r) => setTimeout(r, 150));
      expect(reads()).toBe(0);
      expect((await cache.status(db, prepAgent)).state).toBe('pending');
    });
  });

  describe('while a large KB retrains (in a worker)', () => {
    let staleAgent = '';
    const own: Record<string, string> = {};

    beforeAll(async () => {
      staleAgent = (await agentCreator(app, 'user:admin@example.com', { kind: 'support', name: 'stale' })).id;
      for (const e of input.entries) {
        own[e.id] = (
          await faqCreator(app, EDITOR, staleAgent, {
            title: e.title ?? e.id,
            answer: e.answer,
            phrasings: e.phrasings,
          })
        ).id;
      }
    });

    it('answers with the last engine and the new answers after the grace time, then with the new engine', async () => {
      // Grace 0: any training in a worker (hundreds of ms at least) outlasts it.
      const cache = new EngineCache({ staleGraceMs: 0, workerFrom: 1 });
      // Nothing trained yet on this node: the first question waits for the engine.
      const first = await cache.answering(db, staleAgent);
      expect(first.trainedIn).toBe('worker');
      expect(first.engineVersion).toBe(first.version);
      // An edit the engine does not learn from reuses it at once: never stale.
      await faqUpdater(app, EDITOR, own.refund!, { answer: 'Three days.' });
      expect((await cache.answering(db, staleAgent)).trainedIn).toBe('reused');

      await phrasingAdder(app, EDITOR, own.refund!, 'can I have my money back');
      await faqUpdater(app, EDITOR, own.hours!, { answer: 'Seven to seven.' });
      const version = await kbVersion(db, staleAgent);
      const stale = await cache.answering(db, staleAgent);
      expect(stale.trainedIn).toBe('stale');
      expect(stale.version).toBe(version);
      expect(stale.engine).toBe(first.engine);
      expect(stale.engineVersion).toBe(first.version);
      // The last engine finds the entry; the answer given is the one the KB holds now.
      expect(answerFrom(stale, 'when are you open?').text).toBe('Seven to seven.');

      // get() is for what reports on the KB: it waits for this version's engine.
      const fresh = await cache.get(db, staleAgent);
      expect(fresh.trainedIn).toBe('worker');
      expect(fresh.engineVersion).toBe(version);
      expect(fresh.engine).not.toBe(first.engine);
      expect(await cache.answering(db, staleAgent)).toBe(fresh);
    });

    it('gives no answer where the last engine matches an entry the edit deleted', async () => {
      const cache = new EngineCache({ staleGraceMs: 0, workerFrom: 1 });
      const before = await cache.answering(db, staleAgent);
      const shipping = answerFrom(before, 'How much is shipping?');
      expect(shipping.topic).toBe(own.ship);
      expect(shipping.confidence).toBeGreaterThan(0.5);

      await faqDeleter(app, EDITOR, own.ship!);
      const stale = await cache.answering(db, staleAgent);
      expect(stale.trainedIn).toBe('stale');
      const gone = answerFrom(stale, 'How much is shipping?');
      expect(gone.confidence).toBe(0);
      expect(gone.sources).not.toContain(`faq:${own.ship}`);
      expect(gone.candidates.map((c) => c.id)).not.toContain(own.ship);
      // Once trained, the new engine does not know the entry at all.
      const fresh = await cache.get(db, staleAgent);
      expect(answerFrom(fresh, 'How much is shipping?').topic).not.toBe(own.ship);
    });

    it('waits for a KB small enough to train on this thread, with the default grace', async () => {
      const cache = new EngineCache();
      expect(STALE_GRACE_MS).toBeGreaterThan(0);
      await cache.answering(db, staleAgent);
      await phrasingAdder(app, EDITOR, own.hours!, 'what time do you close');
      const next = await cache.answering(db, staleAgent);
      expect(next.trainedIn).toBe('thread');
      expect(next.engineVersion).toBe(next.version);
    });
  });
});
