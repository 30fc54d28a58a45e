// Draft agreement: how close a human's reply came to the draft the agent offered (shadow drafts, replies held for
// review). Measured per escalation when the human answers, averaged per agent on the overview: a high rate is
// evidence the agent could send those replies itself; a low one says its drafts are not yet worth reading.
import { stem, tokenize } from '../engines/local/normalize.ts';
import type { Queryable } from '../store/db.ts';

function termSet(text: string): Set<string> {
  return new Set(tokenize(text).map(stem));
}

/**
 * Token-set Jaccard similarity, 0..1: |A ∩ B| / |A ∪ B| over the stemmed words of each text (the engine's own
 * normalization: case, accents, contractions and numbers folded). Word order, repetition and punctuation do not
 * count, so "We're open 9-5 Monday to Friday" and "Monday to Friday we are open 9 to 5" agree fully, while a
 * greeting or a sign-off added to the draft lowers the score only a little. Two texts without any words agree.
 */
export function draftAgreement(draft: string, reply: string): number {
  const a = termSet(draft);
  const b = termSet(reply);
  if (a.size === 0 && b.size === 0) return 1;
  let shared = 0;
  for (const t of a) if (b.has(t)) shared++;
  return shared / (a.size + b.size - shared);
}

export interface DraftAgreementSummary {
  /** Mean agreement over the compared drafts, or null when none was compared. */
  average: number | null;
  compared: number;
}

/** The agent's mean draft agreement over escalations opened since `since`. */
export async function draftAgreementSummary(
  q: Queryable,
  agentId: string,
  since: Date,
): Promise<DraftAgreementSummary> {
  const [row] = await q.query<{ average: number | null; compared: number }>(
    `SELECT avg(draft_agreement)::float8 AS average, count(draft_agreement)::int AS compared
     FROM escalations WHERE agent_id = $1 AND draft_agreement IS NOT NULL AND created_at >= $2`,
    [agentId, since],
  );
  return {
    average: row?.average === null || row?.average === undefined ? null : Number(row.average),
    compared: row?.compared ?? 0,
  };
}
