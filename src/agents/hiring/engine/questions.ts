// The phone screen's questions: one short spoken question per criterion a candidate can answer by talking.
// Degrees and certifications are asked as facts ("do you hold…"), never anything about the person themselves.
import type { Criterion, Rubric } from './types.ts';

function question(c: Criterion): string | null {
  const label = c.label.replace(/^\d+\+ years of /, '');
  switch (c.kind) {
    case 'experience':
      return `How many years of professional experience do you have, and what was your most recent role?`;
    case 'degree':
      return `Do you hold a ${c.label.toLowerCase().replace(/ or diploma$/, '')} or an equivalent qualification, and in what field?`;
    case 'certification':
      return `Do you hold the ${label} certification, and is it current?`;
    case 'language':
      return `How would you describe your ${label}, spoken and written?`;
    default:
      return c.minYears
        ? `How many years have you worked with ${label}? Tell me about one thing you built or did with it.`
        : `Can you describe a recent piece of work where you used ${label}?`;
  }
}

/** One question per criterion that can be asked, in rubric order (must-haves first). */
export function screenQuestions(rubric: Rubric): { criterionId: string; question: string }[] {
  const ordered = [...rubric.criteria].sort((a, b) => Number(b.required) - Number(a.required));
  const out: { criterionId: string; question: string }[] = [];
  for (const c of ordered) {
    const q = question(c);
    if (q) out.push({ criterionId: c.id, question: q });
  }
  return out;
}
