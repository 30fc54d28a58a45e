// Anchors for scoring each readiness layer: the same question gets similar answers from different people only
// when every score has a concrete description, so the CLI and the dashboard show these next to the question.
import type { Layer, Score } from './model.ts';

export interface LayerGuidance {
  layer: Layer;
  /** Short name, e.g. "Task clarity". */
  title: string;
  question: string;
  /** What a 1..5 looks like on this layer; 5 is always the most ready. */
  scores: Record<Score, string>;
}

export const SCORE_VALUES: readonly Score[] = [1, 2, 3, 4, 5];

export const LAYER_GUIDANCE: Record<Layer, LayerGuidance> = {
  clarity: {
    layer: 'clarity',
    title: 'Task clarity',
    question: 'Task clarity: is the task specific, bounded, with a clear definition of done?',
    scores: {
      1: 'Open-ended ("help customers with anything", "grow sales"): nobody can say what done looks like.',
      2:
        'A broad area with many unrelated requests; whether it went well is judged case by case and no ' +
        'examples are written down.',
      3:
        'A known set of requests, but with frequent exceptions and judgment calls; done is mostly clear and ' +
        'some real examples exist.',
      4:
        'One bounded task with a written definition of done and a test set of real examples; the exceptions ' +
        'are known and routed to people.',
      5:
        'One narrow, repetitive task with structured inputs and an outcome software can check (e.g. the ' +
        'booking exists in the calendar at the requested time).',
    },
  },
  tolerance: {
    layer: 'tolerance',
    title: 'Failure tolerance',
    question: 'Failure tolerance: what happens when the agent is wrong?',
    scores: {
      1:
        'A mistake is irreversible and costly: money moved, data deleted, production broken, legal exposure ' +
        'or harm to a person.',
      2:
        'A mistake is public or hard to undo: a message that cannot be unsent, a damaged customer or ' +
        'prospect relationship, real money spent.',
      3:
        "A mistake affects a person's outcome or costs real rework; it can be undone, but only if someone " +
        'notices (e.g. a candidate wrongly ranked low).',
      4:
        'A mistake is a nuisance that is easy to correct: a wrong answer the customer can question, a ' +
        'booking that can be moved; no money or data lost.',
      5: 'A mistake is trivial and caught at once by the customer or the next step; nothing irreversible happens.',
    },
  },
  fallback: {
    layer: 'fallback',
    title: 'Human fallback',
    question: 'Human fallback: is there a human who can take over quickly?',
    scores: {
      1: 'No human is available and nobody owns what the agent gets wrong.',
      2:
        'A human exists but is hours or days away, with no defined hand-off; the customer has to start over ' +
        'somewhere else.',
      3:
        'Someone picks up escalations from a queue within the business day; the hand-off carries part of ' +
        'the context.',
      4:
        'A named team takes escalations within minutes during opening hours, with the transcript and a ' +
        'summary; outside them the customer gets a clear call-back promise.',
      5:
        'A human can take over live in the same channel within seconds (warm transfer on a call, takeover ' +
        'in the chat), whenever the agent runs, with full context.',
    },
  },
};

/** The question followed by one line per score, ready to print before asking. */
export function describeLayer(layer: Layer): string[] {
  const g = LAYER_GUIDANCE[layer];
  return [g.question, ...SCORE_VALUES.map((s) => `  ${s}  ${g.scores[s]}`)];
}
