// The resume view's highlighting, kept pure so it is tested without a browser: the redacted text cut into
// segments, each carrying the criteria whose evidence covers it. Offsets come from the engine (quote ===
// text.slice(start, end)); spans out of range or that do not match their quote are dropped, never drawn wrong.
import type { CriterionResult } from './types.ts';

export interface Segment {
  text: string;
  start: number;
  /** Ids of the criteria whose quotes cover this segment (empty: plain text). */
  criteria: string[];
}

export interface Span {
  criterion: string;
  start: number;
  end: number;
}

/** The evidence spans that really are in `text`. */
export function validSpans(text: string, criteria: CriterionResult[]): Span[] {
  const out: Span[] = [];
  for (const c of criteria) {
    for (const e of c.evidence) {
      if (!Number.isInteger(e.start) || !Number.isInteger(e.end)) continue;
      if (e.start < 0 || e.end > text.length || e.start >= e.end) continue;
      if (text.slice(e.start, e.end) !== e.quote) continue;
      out.push({ criterion: c.id, start: e.start, end: e.end });
    }
  }
  return out;
}

/** Cuts `text` at every span boundary; overlapping spans give a segment with several criteria. */
export function segments(text: string, spans: Span[]): Segment[] {
  const cuts = new Set<number>([0, text.length]);
  for (const s of spans) {
    cuts.add(s.start);
    cuts.add(s.end);
  }
  const points = [...cuts].sort((a, b) => a - b);
  const out: Segment[] = [];
  for (let i = 0; i < points.length - 1; i++) {
    const start = points[i]!;
    const end = points[i + 1]!;
    if (end <= start) continue;
    const criteria = [
      ...new Set(spans.filter((s) => s.start <= start && s.end >= end).map((s) => s.criterion)),
    ];
    const last = out.at(-1);
    // Merge neighbours with the same marks, so the DOM stays small.
    if (last && last.criteria.join() === criteria.join()) last.text += text.slice(start, end);
    else out.push({ text: text.slice(start, end), start, criteria });
  }
  return out;
}
