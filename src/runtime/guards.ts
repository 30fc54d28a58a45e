// Escalation triggers that run outside the brain: always-human topics and explicit requests for a person.
// Keyword rules are deliberately simple and conservative: a false escalation costs a human a minute; a missed
// fraud report costs far more.

export const DEFAULT_ALWAYS_HUMAN_TOPICS: Record<string, string[]> = {
  fraud: ['fraud', 'fraudulent', 'scam', 'scammed', 'stolen', 'unauthori[sz]ed', 'identity theft', 'hacked'],
  disputes: ['dispute', 'chargeback', 'charge back'],
  'account closure': [
    'close (my|the|our) account',
    'closing (my|the|our) account',
    'cancel (my|the|our) account',
    'delete (my|the|our) account',
  ],
  legal: ['lawyer', 'attorney', 'legal action', 'lawsuit', 'sue', 'court', 'solicitor', 'gdpr request'],
  complaints: ['complaint', 'complain', 'unacceptable', 'ombudsman'],
};

const PERSON_REQUEST =
  /\b(talk|speak|chat|connect|transfer|put)\b[^.?!]{0,30}\b(human|person|agent|someone|somebody|representative|operator|staff|manager)\b|\b(real|live|actual) (human|person|agent)\b|^\s*(human|agent|operator|representative)\s*[.!?]*\s*$/i;

export function asksForPerson(text: string): boolean {
  return PERSON_REQUEST.test(text);
}

/** Names of the always-human topics the text touches. `topics` lists topic names; unknown names match literally. */
export function alwaysHumanTopicsIn(text: string, topics: string[]): string[] {
  const hits: string[] = [];
  for (const topic of topics) {
    const patterns = DEFAULT_ALWAYS_HUMAN_TOPICS[topic] ?? [escapeRegExp(topic)];
    if (patterns.some((p) => new RegExp(`\\b(${p})\\b`, 'i').test(text))) hits.push(topic);
  }
  return hits;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
