// How long a customer has waited for a person, ticking live, against the team's reply-time target: plain under 75 %,
// amber from there, red past it (src/conversations/clock.ts holds the rule). The colour is never the only signal:
// the text says "over target".
import { useEffect, useState } from 'react';
import { waitedLabel, waitingTone } from '../../../src/conversations/clock.ts';
import { fullDate } from '../format.ts';

export function WaitingClock({ since, targetMinutes }: { since: string; targetMinutes: number | null }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = window.setInterval(() => setNow(Date.now()), 15_000);
    return () => window.clearInterval(t);
  }, []);
  const waited = now - new Date(since).getTime();
  const tone = targetMinutes ? waitingTone(waited, targetMinutes) : 'ok';
  return (
    <span
      className={`waiting waiting-${tone}`}
      data-testid="waiting-clock"
      data-tone={tone}
      title={`Waiting since ${fullDate(since)}${targetMinutes ? `; target ${targetMinutes} min` : ''}`}
    >
      <span aria-hidden="true">◷ </span>
      waiting {waitedLabel(waited)}
      {tone === 'red' ? ' · over target' : tone === 'amber' ? ' · near target' : ''}
    </span>
  );
}
