// A knowledge base's health as people read it: which entries the engine takes for one another, and which entries'
// own phrasings it misses (LocalEngine.health, measured by training's calibration rounds), by title. No Node imports:
// the dashboard uses the same rule for what counts as weak.
import type { KbSnapshot } from './engine-cache.ts';

/** An entry as a person knows it. */
export interface EntryRef {
  id: string;
  title: string;
}

export interface KbHealth {
  entries: (EntryRef & { heldOut: number; recognized: number })[];
  lookAlike: { entry: EntryRef; other: EntryRef; count: number }[];
}

/**
 * The engine's health (LocalEngine.health) with each entry's title; null when the KB is too small for the training's
 * rounds (fewer than 3 entries or 20 phrasings and titles).
 */
export function kbHealth(snap: KbSnapshot): KbHealth | null {
  const h = snap.engine.health();
  if (!h) return null;
  const ref = (id: string): EntryRef => ({ id, title: snap.answers.get(id)?.title ?? id });
  return {
    entries: h.entries.map((e) => ({ ...ref(e.id), heldOut: e.heldOut, recognized: e.recognized })),
    lookAlike: h.lookAlike.map((p) => ({ entry: ref(p.entry), other: ref(p.other), count: p.count })),
  };
}

/** Held-out phrasings over all entries, and the share matched to their own entry (0 with none held out). */
export function heldOutTotals(h: KbHealth): { heldOut: number; recognized: number; share: number } {
  const heldOut = h.entries.reduce((n, e) => n + e.heldOut, 0);
  const recognized = h.entries.reduce((n, e) => n + e.recognized, 0);
  return { heldOut, recognized, share: heldOut > 0 ? recognized / heldOut : 0 };
}

/** An entry is weak when it recognized less than this share of at least MIN_HELD_OUT held-out phrasings. */
export const WEAK_SHARE = 0.6;
export const MIN_HELD_OUT = 3;

/** The entries whose own phrasings the engine misses most, the weakest first. */
export function weakEntries(h: KbHealth): KbHealth['entries'] {
  return h.entries
    .filter((e) => e.heldOut >= MIN_HELD_OUT && e.recognized / e.heldOut < WEAK_SHARE)
    .sort((a, b) => a.recognized / a.heldOut - b.recognized / b.heldOut || a.title.localeCompare(b.title));
}
