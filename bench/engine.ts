// Engine suite: the local engine's cost by knowledge-base size. For knowledge bases of a few hundred to ten
// thousand phrasings (BANKING77-OOS's training file, evenly thinned per label; a synthetic KB of the same shape when
// that file is absent), it measures:
//   - training time on one thread, and with the calibration rounds in worker threads (trainHere: what a large
//     KB gets on a machine with 2+ cores); the ratio of the two;
//   - the memory a trained engine holds (V8 heap and array buffers retained after a full GC, the engine alone) and its snapshot's
//     size (what a worker hands back), each against the KB's own text (the bytes of its phrasings): the ratio;
//   - match latency, p50 and p99, over questions the engine did not train on (the data set's test file, or
//     held-out phrasings);
//   - the wait for an answer right after a KB edit, on the largest KB stored in PGlite (an agent's engine cache): a
//     phrasing is added, then one question is answered. Baseline: waiting for the retrained engine (EngineCache.get,
//     what every question did before); against it, EngineCache.answering, which answers with the last engine after
//     STALE_GRACE_MS. The ratio of the two.
// Environment: BENCH_ENGINE_DATA (a directory with train.jsonl and, optionally, test.jsonl; default
// ../shared/data/banking77-oos), BENCH_ENGINE_SIZES (phrasings, comma-separated; default 500,2000,all).
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  buildEntries,
  buildNegatives,
  type LabeledText,
  OOS_LABEL,
  parseJsonl,
} from '../src/agents/support/eval.ts';
import { SUPPORT_KIND } from '../src/agents/support/kind.ts';
import { createApp } from '../src/app.ts';
import { LocalEngine, type TrainInput } from '../src/engines/local/index.ts';
import { mulberry32, shuffleInPlace } from '../src/engines/local/random.ts';
import { answerFrom } from '../src/knowledge/answer.ts';
import { EngineCache, STALE_GRACE_MS } from '../src/knowledge/engine-cache.ts';
import { faqCreator, phrasingAdder } from '../src/knowledge/kb.ts';
import { trainHere } from '../src/knowledge/train.ts';
import { agentCreator } from '../src/runtime/agents.ts';
import { openPglite } from '../src/store/db.ts';
import { migrate } from '../src/store/migrate.ts';
import { fmt, liveBytes, pct, round, type ScenarioResult, type Suite, summarize, table } from './stats.ts';

const DATA = resolve(
  process.env.BENCH_ENGINE_DATA ?? join(import.meta.dirname, '../../shared/data/banking77-oos'),
);
const SIZES = (process.env.BENCH_ENGINE_SIZES ?? '500,2000,all').split(',').map((s) => s.trim());

const heapMb = (): number => liveBytes() / 1_048_576;

/** A KB shaped like BANKING77 (77 labels, ~130 phrasings each, questions to escalate), made of seeded word lists. */
function synthetic(): { train: LabeledText[]; test: LabeledText[] } {
  const rand = mulberry32(77);
  const pick = <T>(a: T[]): T => a[Math.floor(rand() * a.length)]!;
  const verbs = [
    'cancel',
    'change',
    'check',
    'find',
    'get',
    'move',
    'open',
    'pay',
    'see',
    'stop',
    'top up',
    'use',
  ];
  const lead = [
    'how do I',
    'can I',
    'why can I not',
    'I want to',
    'help me',
    'is it possible to',
    'where can I',
  ];
  const tail = ['today', 'from my phone', 'abroad', 'again', 'right now', 'for my partner', ''];
  const nouns = Array.from({ length: 77 }, (_, i) => `thing${i.toString(36)}`);
  const rows: LabeledText[] = [];
  nouns.forEach((noun, i) => {
    for (let k = 0; k < 143; k++)
      rows.push({
        text: `${pick(lead)} ${pick(verbs)} my ${noun} ${pick(tail)}`.trim(),
        label: `label_${i}`,
      });
  });
  for (let k = 0; k < 300; k++)
    rows.push({ text: `${pick(lead)} ${pick(verbs)} my ${pick(['car', 'dog', 'house'])}`, label: OOS_LABEL });
  shuffleInPlace(rows, rand);
  return { train: rows.slice(0, 10_000), test: rows.slice(10_000) };
}

function load(): { source: string; train: LabeledText[]; test: LabeledText[] } {
  const trainFile = join(DATA, 'train.jsonl');
  if (!existsSync(trainFile)) return { source: 'synthetic (no data set found)', ...synthetic() };
  const train = parseJsonl(readFileSync(trainFile, 'utf8'), trainFile);
  const testFile = join(DATA, 'test.jsonl');
  const test = existsSync(testFile) ? parseJsonl(readFileSync(testFile, 'utf8'), testFile) : [];
  return { source: DATA, train, test };
}

/** Every label keeps the same share of its rows, in file order (so each size is a subset of the next). */
function thin(rows: LabeledText[], want: number): LabeledText[] {
  if (want >= rows.length) return rows;
  const share = want / rows.length;
  const seen = new Map<string, number>();
  const kept = new Map<string, number>();
  return rows.filter((r) => {
    const n = (seen.get(r.label) ?? 0) + 1;
    seen.set(r.label, n);
    const k = kept.get(r.label) ?? 0;
    if (k >= Math.round(n * share)) return false;
    kept.set(r.label, k + 1);
    return true;
  });
}

interface Row {
  size: string;
  texts: number;
  textMb: number;
  syncMs: number;
  parallelMs: number;
  heapMb: number;
  snapshotMb: number;
  p50: number;
  p99: number;
  questions: number;
}

async function measure(size: string, all: LabeledText[], test: LabeledText[]): Promise<Row> {
  const train = size === 'all' ? all : thin(all, Number(size));
  // Without a test file, the rows the thinning left out are the questions (the engine never saw them).
  const inTrain = new Set(train);
  const questions = (test.length ? test : all.filter((r) => !inTrain.has(r))).slice(0, 3000);
  const input: TrainInput = {
    entries: buildEntries(train, { titles: true }),
    negatives: buildNegatives(train),
  };
  const texts =
    input.entries.reduce((n, e) => n + e.phrasings.length + 1, 0) + (input.negatives?.length ?? 0);
  const textBytes =
    input.entries.reduce(
      (n, e) =>
        n + Buffer.byteLength(e.title ?? '') + e.phrasings.reduce((m, p) => m + Buffer.byteLength(p), 0),
      0,
    ) + (input.negatives ?? []).reduce((n, t) => n + Buffer.byteLength(t), 0);

  const before = heapMb();
  let t = performance.now();
  const engine = LocalEngine.train(input, { seed: 12 });
  const syncMs = performance.now() - t;
  const retained = heapMb() - before;
  t = performance.now();
  const parallelEngine = await trainHere(input, { seed: 12 }, { parallelFrom: 0 });
  const parallelMs = performance.now() - t;
  const snapshot = JSON.stringify(engine.toJSON());
  const snapshotMb = Buffer.byteLength(snapshot) / 1_048_576;
  if (JSON.stringify(parallelEngine.toJSON()) !== snapshot)
    throw new Error('the training with rounds in workers gave another engine');

  for (const q of questions.slice(0, 200)) engine.match(q.text, 1); // warm-up
  const latencies: number[] = [];
  for (const q of questions) {
    const s = performance.now();
    engine.match(q.text, 1);
    latencies.push(performance.now() - s);
  }
  const lat = summarize(latencies);
  return {
    size,
    texts,
    textMb: textBytes / 1_048_576,
    syncMs,
    parallelMs,
    heapMb: retained,
    snapshotMb,
    p50: lat.p50,
    p99: lat.p99,
    questions: questions.length,
  };
}

interface EditRow {
  texts: number;
  /** Per edit: ms from the edit's commit to the answer, waiting for the retrain (get) and not (answering). */
  waitMs: number[];
  answeringMs: number[];
  /** What answered after the grace: 'stale' when the last engine did. */
  served: string[];
}

const EDITS = 3;

/** The wait for one answer right after an edit, with and without waiting for the retrain (see the header). */
async function measureEdit(all: LabeledText[]): Promise<EditRow> {
  const db = await openPglite();
  try {
    await migrate(db);
    const app = createApp(db);
    const editor = 'user:bench@example.com';
    const agentId = (await agentCreator(app, editor, { kind: SUPPORT_KIND, name: 'bench-edit' })).id;
    const entries = buildEntries(all, { titles: true });
    const ids: string[] = [];
    for (const e of entries)
      ids.push(
        (
          await faqCreator(app, editor, agentId, {
            title: e.title ?? e.id,
            answer: e.answer,
            phrasings: e.phrasings,
          })
        ).id,
      );
    const texts = entries.reduce((n, e) => n + e.phrasings.length + 1, 0);
    const question = all[0]!.text;
    const row: EditRow = { texts, waitMs: [], answeringMs: [], served: [] };
    for (let i = 0; i < EDITS; i++) {
      for (const mode of ['wait', 'answering'] as const) {
        // Each measurement starts from a node whose engine is trained for the current version.
        const cache = new EngineCache();
        await cache.get(db, agentId);
        await phrasingAdder(
          app,
          editor,
          ids[(2 * i + (mode === 'wait' ? 0 : 1)) % ids.length]!,
          `bench edit ${i} ${mode}`,
        );
        const t = performance.now();
        const snap = mode === 'wait' ? await cache.get(db, agentId) : await cache.answering(db, agentId);
        answerFrom(snap, question);
        const ms = performance.now() - t;
        if (mode === 'wait') row.waitMs.push(ms);
        else {
          row.answeringMs.push(ms);
          row.served.push(snap.trainedIn);
          await cache.get(db, agentId); // let the retrain finish before the next edit
        }
      }
    }
    return row;
  } finally {
    await db.close();
  }
}

async function runSuite(): Promise<ScenarioResult[]> {
  const { source, train, test } = load();
  console.log(
    `Local engine by KB size; data: ${source} (${train.length} training rows, ${test.length} test rows)`,
  );
  // Warm-up (JIT, the workers' TypeScript loader), so the first size is not charged for it.
  await measure('300', train, test);
  const rows: Row[] = [];
  for (const size of SIZES) rows.push(await measure(size, train, test));
  console.log('');
  console.log(
    table(
      [
        'KB',
        'texts',
        'text MB',
        'train 1 thread s',
        'train, rounds in workers s',
        'ratio',
        'engine heap MB',
        '÷ text',
        'snapshot MB',
        '÷ text',
        'match p50 ms',
        'p99 ms',
      ],
      rows.map((r) => [
        r.size,
        r.texts,
        fmt(r.textMb, 2),
        fmt(r.syncMs / 1000, 2),
        fmt(r.parallelMs / 1000, 2),
        pct(r.parallelMs / r.syncMs),
        fmt(r.heapMb, 1),
        `${fmt(r.heapMb / r.textMb, 0)}×`,
        fmt(r.snapshotMb, 1),
        `${fmt(r.snapshotMb / r.textMb, 0)}×`,
        fmt(r.p50, 3),
        fmt(r.p99, 3),
      ]),
    ),
  );
  console.log(
    'texts: phrasings, titles and questions to escalate; train, rounds in workers: trainHere with the calibration' +
      '\nrounds in worker threads (what a KB of 4,000+ texts gets on 2+ cores; on smaller ones the workers cost more than' +
      '\nthey save); engine heap: memory the trained engine retains after a full GC (V8 heap and array buffers); snapshot: its JSON (what a' +
      "\ntraining worker hands back); ÷ text: against the KB's own phrasing bytes; match: one question, top 1.",
  );
  const edit = await measureEdit(train);
  const median = (xs: number[]) => summarize(xs).p50;
  const waitMs = median(edit.waitMs);
  const answeringMs = median(edit.answeringMs);
  console.log('');
  console.log(
    table(
      [
        'KB texts',
        'edits',
        'answer after an edit, waiting for the retrain ms',
        'answering ms',
        'ratio',
        'served by',
      ],
      [
        [
          edit.texts,
          String(EDITS),
          edit.waitMs.map((m) => fmt(m, 0)).join(' / '),
          edit.answeringMs.map((m) => fmt(m, 0)).join(' / '),
          pct(answeringMs / waitMs),
          [...new Set(edit.served)].join(', '),
        ],
      ],
    ),
  );
  console.log(
    `An agent's next answer after a phrasing is added (PGlite, one node): waiting for the retrained engine, and` +
      `\nanswering with the last one once the retrain outlasts ${STALE_GRACE_MS} ms (EngineCache.answering); ratio of the medians.`,
  );
  return [
    ...rows.map((r) => ({
      suite: 'engine',
      scenario: `kb-${r.size}`,
      texts: r.texts,
      trainMs: round(r.syncMs, 0),
      trainParallelMs: round(r.parallelMs, 0),
      trainRatio: round(r.parallelMs / r.syncMs),
      engineHeapMb: round(r.heapMb, 1),
      snapshotMb: round(r.snapshotMb, 2),
      heapPerTextByte: round(r.heapMb / r.textMb, 1),
      matchP50Ms: round(r.p50),
      matchP99Ms: round(r.p99),
      questions: r.questions,
    })),
    {
      suite: 'engine',
      scenario: 'answer-after-edit',
      texts: edit.texts,
      waitForRetrainMs: round(waitMs, 0),
      answeringMs: round(answeringMs, 0),
      ratio: round(answeringMs / waitMs),
      servedBy: [...new Set(edit.served)].join(','),
    },
  ];
}

export const suite: Suite = {
  name: 'engine',
  description:
    'local engine by KB size: training (one thread vs rounds in workers), retained heap and snapshot vs text, match p50/p99',
  run: runSuite,
};
