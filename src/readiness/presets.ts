// The reference cases of DESIGN §1, as data: the CLI offers them as presets and the tests use them as vectors,
// so the published examples and the scoring code can never disagree silently.
import type { Band, ReadinessScores } from './model.ts';

export interface ReadinessPreset {
  id: string;
  name: string;
  scores: ReadinessScores;
  /** The total the source material gives; a test checks the scores add up to it. */
  total: number;
  /** The band that total falls in; a test checks scoreReadiness agrees. */
  band: Band;
  /** True when the source gives only an approximate total and the split into layers is ours. */
  approximate: boolean;
  note: string;
}

export const READINESS_PRESETS: readonly ReadinessPreset[] = [
  {
    id: 'appointment-booking-voice',
    name: 'Appointment booking (voice)',
    scores: { clarity: 5, tolerance: 4, fallback: 5 },
    total: 14,
    band: 'ship',
    approximate: false,
    note: 'Narrow task with a checkable outcome; a wrong booking is easy to move; staff can take the call.',
  },
  {
    id: 'customer-support-tier1',
    name: 'Customer support, tier 1',
    scores: { clarity: 4, tolerance: 4, fallback: 5 },
    total: 13,
    band: 'ship',
    approximate: false,
    note: 'Answers from a known knowledge base; a wrong answer is correctable; the support team takes escalations.',
  },
  {
    id: 'resume-screening',
    name: 'Resume screening',
    scores: { clarity: 4, tolerance: 3, fallback: 5 },
    total: 12,
    band: 'ship',
    approximate: false,
    note: 'A rubric defines done; a wrong score affects a person, so a human makes every decision.',
  },
  {
    id: 'ai-voice-interview',
    name: 'AI voice interview',
    scores: { clarity: 4, tolerance: 3, fallback: 4 },
    total: 11,
    band: 'pilot',
    approximate: false,
    note: 'Structured questions, but live conversation with a candidate; a recruiter reviews every transcript.',
  },
  {
    id: 'autonomous-sdr',
    name: 'Autonomous SDR / sales outreach',
    scores: { clarity: 3, tolerance: 2, fallback: 2 },
    total: 7,
    band: 'research',
    approximate: false,
    note: 'Open-ended persuasion; a bad message to a prospect is public and cannot be unsent; nobody watches live.',
  },
  {
    id: 'autonomous-code-deployment',
    name: 'Autonomous code deployment',
    scores: { clarity: 3, tolerance: 1, fallback: 2 },
    total: 6,
    band: 'research',
    approximate: false,
    note: 'A wrong deploy breaks production for everyone; rollback needs an engineer who may not be there.',
  },
  {
    id: 'full-cs-replacement',
    name: 'Full customer-service replacement',
    scores: { clarity: 3, tolerance: 2, fallback: 3 },
    total: 8,
    band: 'pilot',
    approximate: true,
    note:
      'The source gives about 8; the split 3/2/3 is ours: every kind of request, mistakes reach customers ' +
      'directly, and the humans it replaces are the fallback.',
  },
  {
    id: 'hybrid-cs',
    name: 'Hybrid customer service (agent + human team)',
    scores: { clarity: 4, tolerance: 4, fallback: 5 },
    total: 13,
    band: 'ship',
    approximate: true,
    note:
      'The source gives about 13; the split 4/4/5 is ours: the agent takes the clear tier-1 requests and ' +
      'hands everything else to the team.',
  },
];

export function findPreset(id: string): ReadinessPreset | undefined {
  return READINESS_PRESETS.find((p) => p.id === id);
}
