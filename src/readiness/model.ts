// The 3-layer readiness model (DESIGN §1): three 1..5 scores decide a band, and the band decides the run-time
// mode. Pure data and functions so the CLI, the dashboard, evidence checks and the runtime policy share one truth.
import { AppError } from '../errors.ts';
import type { Mode } from '../runtime/mode.ts';

export type { Mode };

export type Score = 1 | 2 | 3 | 4 | 5;

export interface ReadinessScores {
  /** Task clarity: is the task specific, bounded, with a clear definition of done? */
  clarity: Score;
  /** Failure tolerance: what happens when the agent is wrong? (5 = mistakes are cheap) */
  tolerance: Score;
  /** Human fallback: is there a human who can take over quickly? */
  fallback: Score;
}

export type Layer = keyof ReadinessScores;

/** The layers in the order they are asked and printed. */
export const LAYERS: readonly Layer[] = ['clarity', 'tolerance', 'fallback'];

export type Band = 'ship' | 'pilot' | 'research';

export interface ReadinessResult {
  scores: ReadinessScores;
  /** 3..15 */
  total: number;
  band: Band;
  mode: Mode;
  verdict: string;
}

export const MIN_TOTAL = 3;
export const MAX_TOTAL = 15;

export const BAND_MODE: Record<Band, Mode> = { ship: 'production', pilot: 'pilot', research: 'shadow' };

export const BAND_VERDICT: Record<Band, string> = {
  ship: 'ship to production',
  pilot: 'pilot with guardrails',
  research: 'do not deploy',
};

/**
 * A score outside 1..5 (or not a whole number). Extends AppError as `validation_failed` so HTTP routes turn
 * it into a 400 without a special case; `field` says which layer was wrong.
 */
export class ReadinessInputError extends AppError {
  override name = 'ReadinessInputError';
  readonly field: string;

  constructor(field: string, value: unknown) {
    super('validation_failed', `${field} must be a whole number from 1 to 5 (got ${describeValue(value)})`, {
      field,
      value,
    });
    this.field = field;
  }
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) {
    return String(value);
  }
  return typeof value;
}

export function isScore(value: unknown): value is Score {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 5;
}

/** Validates one score; the field name goes into the error so a form or CLI can point at it. */
export function toScore(field: string, value: unknown): Score {
  if (!isScore(value)) throw new ReadinessInputError(field, value);
  return value;
}

/** Validates all three scores; inputs from JSON or forms are not trusted to match the static type. */
export function validateScores(scores: unknown): ReadinessScores {
  const record = (typeof scores === 'object' && scores !== null ? scores : {}) as Record<string, unknown>;
  return {
    clarity: toScore('clarity', record.clarity),
    tolerance: toScore('tolerance', record.tolerance),
    fallback: toScore('fallback', record.fallback),
  };
}

/** Band of a total; totals outside 3..15 cannot come from valid scores, so they are rejected. */
export function bandForTotal(total: number): Band {
  if (!Number.isInteger(total) || total < MIN_TOTAL || total > MAX_TOTAL) {
    throw new ReadinessInputError('total', total);
  }
  if (total >= 12) return 'ship';
  if (total >= 8) return 'pilot';
  return 'research';
}

export function scoreReadiness(scores: ReadinessScores): ReadinessResult {
  const valid = validateScores(scores);
  const total = valid.clarity + valid.tolerance + valid.fallback;
  const band = bandForTotal(total);
  return { scores: valid, total, band, mode: BAND_MODE[band], verdict: BAND_VERDICT[band] };
}

const MODE_RANK: Record<Mode, number> = { shadow: 0, pilot: 1, production: 2 };

/** Higher means more autonomy: production 2 > pilot 1 > shadow 0. */
export function modeRank(mode: Mode): number {
  return MODE_RANK[mode];
}

/** The more restrictive of two modes: an agent never gets more autonomy than its weakest claim supports. */
export function lowerMode(a: Mode, b: Mode): Mode {
  return modeRank(a) <= modeRank(b) ? a : b;
}

export type ReplyAllowance = 'sent' | 'cohort' | 'draft';
export type ReadAllowance = 'run';
export type WriteAllowance = 'run' | 'approval' | 'record';
export type DestructiveAllowance = 'approval' | 'record';
/** `cap`: runs while inside the agent's spend cap, needs approval beyond it. */
export type SpendAllowance = 'cap' | 'approval' | 'record';

export type AllowanceKey = 'replies' | 'read' | 'write' | 'destructive' | 'spend';

export interface ModeAllowance {
  replies: ReplyAllowance;
  read: ReadAllowance;
  write: WriteAllowance;
  destructive: DestructiveAllowance;
  spend: SpendAllowance;
  /** The same decisions in words, for the CLI and the dashboard. */
  text: Record<AllowanceKey, string>;
}

/** Row labels of the DESIGN §1 table, in its order. */
export const ALLOWANCE_LABELS: Record<AllowanceKey, string> = {
  replies: 'replies to customers',
  read: 'read tools',
  write: 'write tools (reversible: book, send)',
  destructive: 'destructive tools (cancel, delete)',
  spend: 'spend tools (outbound call, paid message)',
};

export const ALLOWANCE_KEYS: readonly AllowanceKey[] = ['replies', 'read', 'write', 'destructive', 'spend'];

/**
 * What each mode allows, exactly the DESIGN §1 table. Kept as structured data (not only prose) because the
 * runtime policy is written from this same table and must not drift from what the CLI tells people.
 */
export const MODE_ALLOWS: Record<Mode, ModeAllowance> = {
  production: {
    replies: 'sent',
    read: 'run',
    write: 'run',
    destructive: 'approval',
    spend: 'cap',
    text: {
      replies: 'sent',
      read: 'run',
      write: 'run',
      destructive: 'need approval',
      spend: 'run inside the spend cap, else approval',
    },
  },
  pilot: {
    replies: 'cohort',
    read: 'run',
    write: 'approval',
    destructive: 'approval',
    spend: 'approval',
    text: {
      replies:
        'sent only to the pilot cohort (a % of conversations or an allow-list) and only above the confidence ' +
        'threshold; everything else goes to a human for review',
      read: 'run',
      write: 'need approval',
      destructive: 'need approval',
      spend: 'need approval',
    },
  },
  shadow: {
    replies: 'draft',
    read: 'run',
    write: 'record',
    destructive: 'record',
    spend: 'record',
    text: {
      replies: 'never sent: drafts for humans',
      read: 'run',
      write: 'recorded as "would have done"',
      destructive: 'recorded only',
      spend: 'recorded only',
    },
  },
};

/** One line per row of the table, e.g. `write tools (reversible: book, send): need approval`. */
export function describeMode(mode: Mode): string[] {
  const allows = MODE_ALLOWS[mode];
  return ALLOWANCE_KEYS.map((key) => `${ALLOWANCE_LABELS[key]}: ${allows.text[key]}`);
}
