// LocalEngine: offline, deterministic matching of a question to FAQ entries and article passages.
import { applyLogistic, fitLogistic, sigmoid } from './calibrate.ts';
import { decodeF32, decodeF64, decodeI32, encodeTyped } from './codec.ts';
import {
  argmax,
  buildCore,
  CONFIDENCE_FEATURES,
  type Core,
  confidenceFeatures,
  newScratch,
  newSignals,
  type Scratch,
  type Signals,
  score,
  wordInput,
} from './core.ts';
import { BLOCK_WORD, type SparseVec, Vectorizer, type VectorizerSnapshot } from './features.ts';
import { NUMBER_TOKEN } from './normalize.ts';
import { buildPostings, type Postings } from './postings.ts';
import { mulberry32, shuffleInPlace } from './random.ts';

export interface FaqEntryInput {
  id: string;
  title?: string;
  answer: string;
  phrasings: string[];
  tags?: string[];
}

/** An article chunk. */
export interface PassageInput {
  id: string;
  text: string;
  source?: string;
}

export interface EngineMatch {
  id: string;
  kind: 'faq' | 'passage';
  score: number;
}

/** matches: the top k, best first. */
export interface EngineResult {
  top: EngineMatch | null;
  confidence: number;
  matches: EngineMatch[];
}

export interface TrainInput {
  entries: FaqEntryInput[];
  passages?: PassageInput[];
  /**
   * Questions that must go to a person (the `oos` rows of an evaluation's training file): never answered, they
   * teach the engine what to escalate and lower the confidence of entries that resemble them.
   */
  negatives?: string[];
}

export interface TrainOptions {
  seed?: number;
}

/**
 * Passage evidence (a logit): word coverage (the share of the question's IDF-weighted word mass found in the
 * passage, title and heading included) and TF-IDF cosine. Passages have no phrasings to calibrate on, so this is
 * hand-set: a passage that holds the question's rare words scores >= 0.5, one sharing a word or two stays low.
 */
const PASSAGE_SLOPE = 10;
const PASSAGE_MID = 0.55;
/** Cosine at which the cosine factor reaches 1 (whole passages are long, so cosines stay small). */
const PASSAGE_COS_FULL = 0.4;
/** Lead of the top passage over the runner-up (in logit units) adds to its confidence. */
const PASSAGE_MARGIN = 0.3;
/**
 * A FAQ entry's confidence is scaled by (1 - MISSING_PENALTY * m), m the share of the question's word mass
 * that the best passage covers beyond what the entry's phrasings cover.
 */
const MISSING_PENALTY = 2.5;
/**
 * With passages, this many of the best entries are scored against the best passage (MISSING_PENALTY), each by its
 * own words, so a close runner-up that holds the question's rare word can overtake the entry that lacks it.
 */
const RESCORED_ENTRIES = 3;
/** The best passage's score from which its words dock entries in full (below, in proportion). */
const MISSING_FULL_FROM = 0.3;
/** The confidence features that measure a question's likeness to the questions to escalate. */
const REJECT_FEATURES = (['rejectBlend', 'rejectKnn'] as const).map((f) => CONFIDENCE_FEATURES.indexOf(f));

/**
 * Both must hold: a passage that holds one of two query words but is about something else (low cosine), or one
 * that is close overall but misses the question's key words (low coverage), is weak evidence.
 */
function passageEvidence(cos: number, cover: number): number {
  return PASSAGE_SLOPE * (Math.sqrt(Math.max(0, cover) * Math.max(0, cos / PASSAGE_COS_FULL)) - PASSAGE_MID);
}

function hasRow(post: Postings, f: number, row: number): boolean {
  if (f + 1 >= post.start.length) return false;
  for (let k = post.start[f]!; k < post.start[f + 1]!; k++) if (post.row[k] === row) return true;
  return false;
}

/** Share of the query's word mass found in passage `passage` but not among entry `entry`'s phrasings. */
function missingShare(
  x: SparseVec,
  block: Uint8Array,
  numberFeature: number,
  centroids: Postings,
  entry: number,
  passages: Postings,
  passage: number,
): number {
  let mass = x.unseenWords ?? 0;
  let missing = 0;
  for (let q = 0; q < x.idx.length; q++) {
    const f = x.idx[q]!;
    if (block[f] !== BLOCK_WORD) continue;
    const w = x.val[q]! * x.val[q]!;
    mass += w;
    if (f !== numberFeature && hasRow(passages, f, passage) && !hasRow(centroids, f, entry)) missing += w;
  }
  return mass > 0 ? missing / mass : 0;
}

/**
 * Used when there is too little data to fit the calibrator. Hand-set on the nearest-phrasing similarity, its
 * margin over the runner-up and word coverage (the signals that stay meaningful with one or two phrasings
 * per entry), and against closeness to a question to escalate, in CONFIDENCE_FEATURES order with the bias last.
 */
const FALLBACK_BY_FEATURE: Partial<Record<(typeof CONFIDENCE_FEATURES)[number], number>> = {
  knn1: 6,
  knnMargin: 4,
  agree: 0.5,
  cover: 3,
  rejectBlend: -4,
  rejectKnn: -3,
};
// Built by name, so a feature added to CONFIDENCE_FEATURES gets weight 0 here instead of shifting the others.
const FALLBACK_WEIGHTS = [...CONFIDENCE_FEATURES.map((f) => FALLBACK_BY_FEATURE[f] ?? 0), -4.5];

const FORMAT = 'twelve-local-engine';
const VERSION = 5;
const MIN_CALIBRATION_ROWS = 40;

function postingsToJson(p: Postings): { start: string; row: string; val: string } {
  return { start: encodeTyped(p.start), row: encodeTyped(p.row), val: encodeTyped(p.val) };
}

function postingsFromJson(p: { start: string; row: string; val: string }): Postings {
  return { start: decodeI32(p.start), row: decodeI32(p.row), val: decodeF32(p.val) };
}

/** Texts an entry is matched on: its phrasings, plus the title, which is usually a question in short form. */
function entryTexts(e: FaqEntryInput): string[] {
  const texts = e.phrasings.filter((p) => p.trim() !== '');
  if (e.title && e.title.trim() !== '') texts.push(e.title);
  return texts;
}

interface Snapshot {
  format: typeof FORMAT;
  version: number;
  entryIds: string[];
  passageIds: string[];
  vectorizer: VectorizerSnapshot;
  calibration: number[];
  calibrated: boolean;
  health: HealthCounts | null;
  reject: number;
  core: {
    classes: number;
    clf: { features: number; w: string; bias: string } | null;
    /** The network's input map is not stored: it follows from the vectorizer's blocks (wordInput). */
    mlp: { hidden: number; w1: string; b1: string; w2: string; b2: string } | null;
    docLabel: string;
    phrases: { start: string; row: string; val: string };
    centroids: { start: string; row: string; val: string };
    nb: {
      lift: { start: string; row: string; val: string };
      base: string;
      background: string;
      typicalStart: string;
      typicalFeature: string;
      typicalShare: string;
    };
  };
  passages: { start: string; row: string; val: string };
}

export class LocalEngine {
  private readonly entryIds: string[];
  private readonly passageIds: string[];
  private readonly vec: Vectorizer;
  private readonly core: Core;
  /** The label of the questions that must go to a person (TrainInput.negatives), or -1 when there were none. */
  private readonly reject: number;
  private readonly passages: Postings;
  private readonly calibration: number[];
  /** False when the fixed fallback curve is in use (too little data to fit one). */
  readonly calibrated: boolean;
  private readonly sig: Signals;
  private readonly scratch: Scratch;
  private readonly passageScratch: Scratch;
  private readonly passageCover: Float64Array;
  /** Feature index of the number token, or -1: a passage quoting prices says nothing about a question's topic. */
  private readonly numberFeature: number;
  private readonly healthCounts: HealthCounts | null;

  private constructor(
    entryIds: string[],
    passageIds: string[],
    vec: Vectorizer,
    core: Core,
    reject: number,
    passages: Postings,
    calibration: number[],
    calibrated: boolean,
    healthCounts: HealthCounts | null,
  ) {
    this.healthCounts = healthCounts;
    this.entryIds = entryIds;
    this.passageIds = passageIds;
    this.vec = vec;
    this.core = core;
    this.reject = reject;
    this.passages = passages;
    this.calibration = calibration;
    this.calibrated = calibrated;
    this.sig = newSignals(core.classes);
    this.scratch = newScratch(core.docLabel.length);
    this.passageScratch = newScratch(passageIds.length);
    this.passageCover = new Float64Array(passageIds.length);
    this.numberFeature = vec.terms.indexOf(`w${NUMBER_TOKEN}`);
  }

  static train(input: TrainInput, options: TrainOptions = {}): LocalEngine {
    const t = prepareTraining(input, options);
    const core = buildCore(t.xs, t.ys, t.vec.block, t.classes, { seed: t.seed });
    const rows = calibrationJobs(t).map(calibrationRound);
    return LocalEngine.assemble(t, core, rows);
  }

  /**
   * The same engine as train() (bit for bit), with the calibration rounds run by `runRound` (worker threads, say)
   * while this thread builds the model itself: on a large knowledge base the rounds are more than half the training time.
   */
  static async trainParallel(
    input: TrainInput,
    options: TrainOptions,
    runRound: (job: CalibrationJob) => Promise<CalibrationRows>,
  ): Promise<LocalEngine> {
    const t = prepareTraining(input, options);
    // Started before the model is built: the rounds run elsewhere while this thread is busy.
    const pending = calibrationJobs(t).map((job) => runRound(job));
    const settled = Promise.allSettled(pending);
    const core = buildCore(t.xs, t.ys, t.vec.block, t.classes, { seed: t.seed });
    const results = await settled;
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    return LocalEngine.assemble(
      t,
      core,
      results.map((r) => (r as PromiseFulfilledResult<CalibrationRows>).value),
    );
  }

  private static assemble(t: Prepared, core: Core, rounds: CalibrationRows[]): LocalEngine {
    const passageIndex = buildPostings(
      t.passages.map((p) => t.vec.transform(p.text)),
      t.vec.size,
    );
    const fitted = fitCalibration(rounds);
    return new LocalEngine(
      t.entries.map((e) => e.id),
      t.passages.map((p) => p.id),
      t.vec,
      core,
      t.reject,
      passageIndex,
      fitted ?? FALLBACK_WEIGHTS,
      fitted !== null,
      healthCounts(rounds, t.entries.length),
    );
  }

  /** How well it tells its entries apart (EngineHealth), from training's calibration rounds. */
  health(): EngineHealth | null {
    const h = this.healthCounts;
    if (!h) return null;
    const id = (i: number) => this.entryIds[i]!;
    return {
      entries: this.entryIds.map((entry, i) => ({
        id: entry,
        heldOut: h.heldOut[i] ?? 0,
        recognized: h.recognized[i] ?? 0,
      })),
      lookAlike: h.pairs.map(([a, b, count]) => ({ entry: id(a), other: id(b), count })),
    };
  }

  match(text: string, k = 5): EngineResult {
    const empty: EngineResult = { top: null, confidence: 0, matches: [] };
    if (typeof text !== 'string' || k <= 0) return empty;
    const x = this.vec.transform(text);
    if (x.idx.length === 0) return empty;
    // Entries by blend, best first; `row` is the entry's index. Passages can reorder the first few (below).
    let faq: (EngineMatch & { row: number })[] = [];
    const wide = this.passageIds.length > 0 ? Math.max(k, RESCORED_ENTRIES) : k;
    let faqCalibrated = 0;
    let topEntry = -1;
    let topBlend = 0;
    // How much the question's likeness to the questions to escalate took off the confidence (1: nothing).
    let rejectDamping = 1;
    if (this.entryIds.length > 0 && this.core.docLabel.length > 0) {
      score(this.core, x, this.sig, this.scratch);
      topEntry = argmax(this.sig.blend, this.reject);
      topBlend = this.sig.blend[topEntry]!;
      const features = confidenceFeatures(this.core, x, this.sig, topEntry, this.reject);
      faqCalibrated = applyLogistic(this.calibration, features);
      if (this.reject >= 0 && this.passageIds.length > 0) {
        // That likeness is about the question, not about where an answer comes from: passages lose the same share,
        // so a question like one a person must take cannot slip through to an article instead of an entry.
        // The share is the larger of two readings: what the calibrator takes off for that likeness, and the
        // classifier's vote for "escalate" against its vote for the best entry.
        for (const f of REJECT_FEATURES) features[f] = 0;
        const unlike = applyLogistic(this.calibration, features);
        if (unlike > 0) rejectDamping = Math.min(1, faqCalibrated / unlike);
        const r = this.sig.blend[this.reject]!;
        if (r > 0) rejectDamping = Math.min(rejectDamping, topBlend / (topBlend + r));
      }
      // Only the best k entries can make the list; a bounded insertion keeps this O(C·k) without sorting C.
      for (let c = 0; c < this.entryIds.length; c++)
        insertTop(faq, { id: this.entryIds[c]!, kind: 'faq', score: this.sig.blend[c]!, row: c }, wide);
    }
    const passages: EngineMatch[] = [];
    let bestPassage = -1;
    if (this.passageIds.length > 0) {
      const ps = scorePassages(this.passages, this.vec.block, x, this.passageScratch, this.passageCover);
      // Top k + 1 passages by evidence (the extra one gives the runner-up's evidence for the lead).
      const best: { r: number; e: number }[] = [];
      for (let i = 0; i < ps.n; i++) {
        const r = this.passageScratch.touched[i]!;
        const e = passageEvidence(this.passageScratch.acc[r]!, this.passageCover[r]! / ps.wordMass);
        this.passageScratch.acc[r] = 0;
        this.passageCover[r] = 0;
        if (best.length > k && e <= best[best.length - 1]!.e) continue;
        let at = best.length;
        while (at > 0 && best[at - 1]!.e < e) at--;
        best.splice(at, 0, { r, e });
        if (best.length > k + 1) best.pop();
      }
      const first = best[0];
      if (first) {
        bestPassage = first.r;
        // The lead over the runner-up adds to the top passage's confidence (so its score stays the largest).
        const lead = best[1] ? first.e - best[1].e : 4;
        best.slice(0, k).forEach((b, i) => {
          const z = i === 0 ? b.e + PASSAGE_MARGIN * Math.min(lead, 4) : b.e;
          passages.push({ id: this.passageIds[b.r]!, kind: 'passage', score: sigmoid(z) * rejectDamping });
        });
      }
    }
    // The best passage's words dock entries in full only from a passage that is a plausible answer itself: one that
    // shares a single word with the question ("open this week" and a tyre guide's "every week", at 0.12) is weak
    // evidence that an entry answers a neighbouring question.
    const missingWeight = Math.min(1, (passages[0]?.score ?? 0) / MISSING_FULL_FROM);
    if (faq.length > 0) {
      for (const m of faq) {
        let share = topBlend > 0 ? (faqCalibrated * m.score) / topBlend : 0;
        if (bestPassage >= 0) {
          // A FAQ entry that misses query words the best passage holds (the question's rare words: "warranty",
          // "motor", "international") answers a neighbouring question: its confidence drops with their share.
          // Each entry by its own words: when two entries are close ("Do you repair e-bikes?": "Bike hire" has
          // "e-bikes", "Book a service" has "repair"), the one that holds the passage's word keeps its confidence.
          const missing = missingShare(
            x,
            this.vec.block,
            this.numberFeature,
            this.core.centroids,
            m.row,
            this.passages,
            bestPassage,
          );
          share *= Math.max(0, 1 - MISSING_PENALTY * missing * missingWeight);
        }
        m.score = share;
      }
      faq.sort((a, b) => b.score - a.score);
      faq = faq.slice(0, k);
    }
    const candidates: EngineMatch[] = [];
    for (const { row: _, ...m } of faq) insertTop(candidates, m, k);
    for (const m of passages) insertTop(candidates, m, k);
    const top = candidates[0] ?? null;
    if (!top) return empty;
    return { top, confidence: clamp01(top.score), matches: candidates };
  }

  toJSON(): unknown {
    const snap: Snapshot = {
      format: FORMAT,
      version: VERSION,
      entryIds: this.entryIds,
      passageIds: this.passageIds,
      vectorizer: this.vec.snapshot(),
      calibration: this.calibration,
      calibrated: this.calibrated,
      health: this.healthCounts,
      reject: this.reject,
      core: {
        classes: this.core.classes,
        clf: this.core.clf
          ? {
              features: this.core.clf.features,
              w: encodeTyped(this.core.clf.w),
              bias: encodeTyped(this.core.clf.bias),
            }
          : null,
        mlp: this.core.mlp
          ? {
              hidden: this.core.mlp.hidden,
              w1: encodeTyped(this.core.mlp.w1),
              b1: encodeTyped(this.core.mlp.b1),
              w2: encodeTyped(this.core.mlp.w2),
              b2: encodeTyped(this.core.mlp.b2),
            }
          : null,
        docLabel: encodeTyped(this.core.docLabel),
        phrases: postingsToJson(this.core.phrases),
        centroids: postingsToJson(this.core.centroids),
        nb: {
          lift: postingsToJson(this.core.nb.lift),
          base: encodeTyped(this.core.nb.base),
          background: encodeTyped(this.core.nb.background),
          typicalStart: encodeTyped(this.core.nb.typicalStart),
          typicalFeature: encodeTyped(this.core.nb.typicalFeature),
          typicalShare: encodeTyped(this.core.nb.typicalShare),
        },
      },
      passages: postingsToJson(this.passages),
    };
    return snap;
  }

  static fromJSON(json: unknown): LocalEngine {
    const s = json as Partial<Snapshot> | null;
    if (
      !s ||
      typeof s !== 'object' ||
      s.format !== FORMAT ||
      s.version !== VERSION ||
      !s.core ||
      !s.vectorizer
    ) {
      throw new Error('not a LocalEngine snapshot (or an unsupported version)');
    }
    const c = s.core;
    const vec = Vectorizer.fromSnapshot(s.vectorizer);
    const core: Core = {
      block: vec.block,
      classes: c.classes,
      clf: c.clf
        ? { features: c.clf.features, classes: c.classes, w: decodeF32(c.clf.w), bias: decodeF64(c.clf.bias) }
        : null,
      mlp: c.mlp
        ? {
            input: wordInput(vec.block),
            hidden: c.mlp.hidden,
            classes: c.classes,
            w1: decodeF32(c.mlp.w1),
            b1: decodeF32(c.mlp.b1),
            w2: decodeF32(c.mlp.w2),
            b2: decodeF32(c.mlp.b2),
          }
        : null,
      docLabel: decodeI32(c.docLabel),
      phrases: postingsFromJson(c.phrases),
      centroids: postingsFromJson(c.centroids),
      nb: {
        lift: postingsFromJson(c.nb.lift),
        base: decodeF64(c.nb.base),
        background: decodeF32(c.nb.background),
        typicalStart: decodeI32(c.nb.typicalStart),
        typicalFeature: decodeI32(c.nb.typicalFeature),
        typicalShare: decodeF32(c.nb.typicalShare),
      },
    };
    return new LocalEngine(
      s.entryIds ?? [],
      s.passageIds ?? [],
      vec,
      core,
      typeof s.reject === 'number' ? s.reject : -1,
      postingsFromJson(s.passages ?? { start: '', row: '', val: '' }),
      s.calibration ?? FALLBACK_WEIGHTS,
      s.calibrated ?? false,
      s.health ?? null,
    );
  }
}

function clamp01(v: number): number {
  return Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : 0;
}

/** Keeps `list` sorted best-first with at most k items; ties keep the earlier item (deterministic). */
function insertTop<M extends EngineMatch>(list: M[], m: M, k: number): void {
  if (list.length >= k && m.score <= list[list.length - 1]!.score) return;
  let i = list.length;
  while (i > 0 && list[i - 1]!.score < m.score) i--;
  list.splice(i, 0, m);
  if (list.length > k) list.pop();
}

/**
 * Cosine of x with every passage it shares a feature with (into scratch.acc) and, per passage, the squared
 * weight of the query words it contains (into cover); wordMass is the query's total word weight, unseen words
 * included, so cover / wordMass is the share of the question the passage speaks about.
 */
function scorePassages(
  post: Postings,
  block: Uint8Array,
  x: SparseVec,
  scratch: Scratch,
  cover: Float64Array,
): { n: number; wordMass: number } {
  const { acc, touched } = scratch;
  let n = 0;
  let wordMass = x.unseenWords ?? 0;
  for (let q = 0; q < x.idx.length; q++) {
    const f = x.idx[q]!;
    const xv = x.val[q]!;
    const isWord = block[f] === BLOCK_WORD;
    if (isWord) wordMass += xv * xv;
    if (f + 1 >= post.start.length) continue;
    for (let k = post.start[f]!; k < post.start[f + 1]!; k++) {
      const r = post.row[k]!;
      if (acc[r] === 0 && cover[r] === 0) touched[n++] = r;
      acc[r] = acc[r]! + xv * post.val[k]!;
      if (isWord) cover[r] = cover[r]! + xv * xv;
    }
  }
  return { n, wordMass: wordMass > 0 ? wordMass : 1 };
}

/** What training works from, computed once: the vectorizer, and every text's vector and label. */
interface Prepared {
  entries: FaqEntryInput[];
  passages: PassageInput[];
  vec: Vectorizer;
  xs: SparseVec[];
  ys: Int32Array;
  classes: number;
  reject: number;
  seed: number;
}

function prepareTraining(input: TrainInput, options: TrainOptions): Prepared {
  const seed = options.seed ?? 12;
  const entries = input.entries;
  const passages = (input.passages ?? []).filter((p) => p.text.trim() !== '');
  const negatives = (input.negatives ?? []).filter((t) => t.trim() !== '');
  const texts: string[] = [];
  const labels: number[] = [];
  entries.forEach((e, i) => {
    for (const t of entryTexts(e)) {
      texts.push(t);
      labels.push(i);
    }
  });
  // Questions that must go to a person are one more label, "reject": never answered, and evidence against the
  // entry that would otherwise answer.
  const reject = negatives.length > 0 && entries.length > 0 ? entries.length : -1;
  if (reject >= 0) {
    for (const t of negatives) {
      texts.push(t);
      labels.push(reject);
    }
  }
  const classes = entries.length + (reject >= 0 ? 1 : 0);
  // IDF sees passages too, so words that only articles use still carry weight for passage retrieval.
  const vec = Vectorizer.fit([...texts, ...passages.map((p) => p.text)]);
  const xs = texts.map((t) => vec.transform(t));
  return { entries, passages, vec, xs, ys: Int32Array.from(labels), classes, reject, seed };
}

/**
 * One round of the calibrator's simulated deployment (see calibrationJobs): self-contained, so that rounds can run
 * in other threads; the same job gives the same rows anywhere.
 */
export interface CalibrationJob {
  xs: SparseVec[];
  ys: Int32Array;
  block: Uint8Array;
  classes: number;
  reject: number;
  seed: number;
  round: number;
}

/**
 * A round's confidence features and whether the top match was right (1) or not (0); and, for every held-out phrasing
 * of an entry the round kept, its entry and the entry that matched it best (-1: none), in the engine's own numbering.
 */
export interface CalibrationRows {
  rows: number[][];
  targets: number[];
  heldLabel: number[];
  heldTop: number[];
}

/**
 * How well the engine tells its entries apart, from the calibration rounds (no test set needed): each round trains
 * without a fifth of every kept entry's phrasings and matches them. `heldOut` counts an entry's held-out phrasings over
 * all rounds, `recognized` those it matched best; `lookAlike` the commonest pairs (held-out phrasings of `entry` whose
 * best match was `other`), most first, at most MAX_LOOK_ALIKE. Null when the KB is too small for rounds.
 */
export interface EngineHealth {
  entries: { id: string; heldOut: number; recognized: number }[];
  lookAlike: { entry: string; other: string; count: number }[];
}

export const MAX_LOOK_ALIKE = 50;

/** EngineHealth by entry index, as stored. */
interface HealthCounts {
  heldOut: number[];
  recognized: number[];
  /** [entry, other, count]. */
  pairs: [number, number, number][];
}

/**
 * The confidence calibrator is fitted on simulated deployment: a seeded share of entries is hidden entirely (their
 * phrasings play unanswerable questions, which must get low confidence) and a share of the remaining
 * phrasings is held out (paraphrases, which should get high confidence when the top match is right). A
 * model trained on the rest scores both; the logistic fit on those rows is the calibration. Several rounds
 * with different splits: 4 on small KBs, 3 on mid-sized, 2 on large ones (each round trains a sub-model; on
 * banking77-oos more rounds rank better (best achievable coverage at 95% precision 79.7% with one, 81.6% with
 * three) and a third round over two adds ~1 point of coverage, 75.3% -> 76.2%, for ~60% more training time).
 * None when the data is too thin.
 */
function calibrationJobs(t: Prepared): CalibrationJob[] {
  if (t.classes - (t.reject >= 0 ? 1 : 0) < 3 || t.xs.length < 20) return [];
  const rounds = t.xs.length >= 3000 ? 2 : t.xs.length >= 600 ? 3 : 4;
  return Array.from({ length: rounds }, (_, round) => ({
    xs: t.xs,
    ys: t.ys,
    block: t.vec.block,
    classes: t.classes,
    reject: t.reject,
    seed: t.seed,
    round,
  }));
}

export function calibrationRound(job: CalibrationJob): CalibrationRows {
  const { xs, ys, block, classes, reject, seed, round } = job;
  const rows: number[][] = [];
  const targets: number[] = [];
  const heldLabel: number[] = [];
  const heldTop: number[] = [];
  const byLabel: number[][] = Array.from({ length: classes }, () => []);
  for (let i = 0; i < ys.length; i++) byLabel[ys[i]!]!.push(i);
  const rand = mulberry32(seed * 7919 + round * 104729 + 1);
  // The reject label is never hidden: its held-out questions are unknown rows of their own (target 0 below).
  const labelOrder = Array.from({ length: classes }, (_, i) => i).filter((c) => c !== reject);
  shuffleInPlace(labelOrder, rand);
  const hiddenCount = Math.max(1, Math.round(labelOrder.length * 0.2));
  const hidden = new Set(labelOrder.slice(0, hiddenCount));
  const trainIdx: number[] = [];
  const heldKnown: number[] = [];
  const heldUnknown: number[] = [];
  for (let c = 0; c < classes; c++) {
    const members = [...byLabel[c]!];
    if (hidden.has(c)) {
      heldUnknown.push(...members);
      continue;
    }
    shuffleInPlace(members, rand);
    const hold = members.length >= 2 ? Math.max(1, Math.round(members.length * 0.2)) : 0;
    heldKnown.push(...members.slice(0, hold));
    trainIdx.push(...members.slice(hold));
  }
  if (trainIdx.length === 0 || heldKnown.length === 0) return { rows, targets, heldLabel, heldTop };
  // Hidden labels are remapped away so the sub-model is a genuine (classes - hidden)-way problem.
  const remap = new Int32Array(classes).fill(-1);
  let next = 0;
  for (let c = 0; c < classes; c++) if (!hidden.has(c)) remap[c] = next++;
  const sub = buildCore(
    trainIdx.map((i) => xs[i]!),
    Int32Array.from(trainIdx.map((i) => remap[ys[i]!]!)),
    block,
    next,
    { seed: seed + round + 1 },
  );
  const sig = newSignals(next);
  const scratch = newScratch(trainIdx.length);
  const subReject = reject >= 0 ? remap[reject]! : -1;
  // Unknown rows are capped to the known ones so the fit is not dominated by whichever is more plentiful. Held-out
  // reject questions are unknown rows too, and they are the real thing: they come first.
  shuffleInPlace(heldUnknown, rand);
  const heldReject = heldKnown.filter((i) => ys[i] === reject);
  const known = heldKnown.filter((i) => ys[i] !== reject);
  const unknown = [...heldReject, ...heldUnknown].slice(0, Math.max(known.length, 1));
  const original = new Int32Array(next);
  for (let c = 0; c < classes; c++) if (remap[c]! >= 0) original[remap[c]!] = c;
  const knownCount = known.length;
  for (const [n, i] of [...known, ...unknown].entries()) {
    const x = xs[i]!;
    // A text with no known feature matches nothing (-1).
    let top = -1;
    if (x.idx.length > 0) {
      score(sub, x, sig, scratch);
      top = argmax(sig.blend, subReject);
    }
    if (n < knownCount) {
      heldLabel.push(ys[i]!);
      heldTop.push(top < 0 ? -1 : original[top]!);
    }
    if (top < 0) continue;
    rows.push(confidenceFeatures(sub, x, sig, top, subReject));
    targets.push(remap[ys[i]!] === top ? 1 : 0);
  }
  return { rows, targets, heldLabel, heldTop };
}

/** The rounds' held-out outcomes, counted (see EngineHealth); null without rounds. */
function healthCounts(rounds: CalibrationRows[], entries: number): HealthCounts | null {
  if (rounds.length === 0) return null;
  const heldOut = new Array<number>(entries).fill(0);
  const recognized = new Array<number>(entries).fill(0);
  const pairs = new Map<number, number>();
  for (const r of rounds) {
    r.heldLabel.forEach((label, n) => {
      const top = r.heldTop[n]!;
      heldOut[label]!++;
      if (top === label) recognized[label]!++;
      else if (top >= 0) pairs.set(label * entries + top, (pairs.get(label * entries + top) ?? 0) + 1);
    });
  }
  const list = [...pairs]
    .map(([k, count]): [number, number, number] => [Math.floor(k / entries), k % entries, count])
    .sort((a, b) => b[2] - a[2] || a[0] - b[0] || a[1] - b[1])
    .slice(0, MAX_LOOK_ALIKE);
  return { heldOut, recognized, pairs: list };
}

/** The logistic fit on every round's rows, in round order; null when the data is too thin. */
function fitCalibration(rounds: CalibrationRows[]): number[] | null {
  const rows = rounds.flatMap((r) => r.rows);
  const targets = rounds.flatMap((r) => r.targets);
  const pos = targets.filter((t) => t === 1).length;
  if (rows.length < MIN_CALIBRATION_ROWS || pos === 0 || pos === rows.length) return null;
  return fitLogistic(rows, targets);
}
