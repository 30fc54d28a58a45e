// Where an agent's answer came from: each message stores its `sources` as its kind names them (a support agent:
// `faq:<id>`, `article:<id>#<passage>`); people and customers see titles. A kind that names sources says how.
import type { Queryable } from '../store/db.ts';

/** How the people and the customers see where an answer came from (an answer's stored `sources`). */
export interface SourceTitles {
  /** Titles for the sources that have one, read from the database; `sections` adds a passage's section heading. */
  titles(
    q: Queryable,
    agentId: string,
    sources: string[],
    options?: { sections?: boolean },
  ): Promise<Map<string, string>>;
  /** The same from memory when the kind holds every one of them (the snapshot that just answered), else null. */
  cached?(agentId: string, sources: string[]): Map<string, string> | null;
}
