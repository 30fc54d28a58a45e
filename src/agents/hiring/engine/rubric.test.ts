// proposeRubric: skills with synonyms, years (total and per skill), degrees, certifications, languages, and
// must-have vs nice-to-have from sections and wording, across fields; screenQuestions asks one question each.
import { describe, expect, it } from 'vitest';
import { BACKEND_JOB } from './fixtures.test-support.ts';
import { screenQuestions } from './questions.ts';
import { proposeRubric } from './rubric.ts';

function byId(job: string) {
  return Object.fromEntries(proposeRubric(job).criteria.map((c) => [c.id, c]));
}

describe('proposeRubric', () => {
  it('a software job: skills, years total and per skill, degree, nice-to-haves from the section', () => {
    const r = proposeRubric(BACKEND_JOB);
    expect(r.threshold).toBe(60);
    const c = byId(BACKEND_JOB);
    expect(c['years-5']).toMatchObject({ kind: 'experience', required: true, minYears: 5, terms: [] });
    expect(c.typescript).toMatchObject({
      kind: 'skill',
      required: true,
      minYears: 3,
      label: '3+ years of TypeScript',
    });
    expect(c.postgresql).toMatchObject({ required: true });
    expect(c.postgresql!.terms).toContain('postgres');
    expect(c.kubernetes).toMatchObject({ required: false });
    expect(c.kubernetes!.terms).toContain('k8s');
    expect(c.spanish).toMatchObject({ kind: 'language', required: false });
    // "or equivalent experience" makes the degree a nice-to-have.
    expect(c['degree-bachelor']).toMatchObject({ kind: 'degree', required: false });
    for (const x of r.criteria) {
      expect(x.weight).toBeGreaterThanOrEqual(1);
      expect(x.weight).toBeLessThanOrEqual(5);
      for (const t of x.terms) expect(t).toBe(t.toLowerCase());
    }
    expect(new Set(r.criteria.map((x) => x.id)).size).toBe(r.criteria.length);
  });

  it('a nursing job: licence, certifications, words for years, sentence wording beats the section', () => {
    const job = `Registered Nurse – Intensive Care
What you'll need
- A current RN license and BLS certification
- At least three years of experience in a hospital setting
- Experience with Epic electronic health records
- ACLS certification preferred
Bonus:
- Bilingual in Spanish and English
- Charge nurse experience is required for the night lead role`;
    const c = byId(job);
    expect(c['rn-license']).toMatchObject({ kind: 'certification', required: true });
    expect(c.bls).toMatchObject({ kind: 'certification', required: true });
    expect(c['years-3']).toMatchObject({ minYears: 3, required: true });
    expect(c.emr).toMatchObject({ required: true });
    expect(c.acls).toMatchObject({ required: false });
    expect(c.spanish).toMatchObject({ kind: 'language', required: false });
    // "is required" in a Bonus section: the sentence wins.
    expect(c.nursing).toMatchObject({ required: true });
  });

  it('reads every number word the resume scorer reads (eleven, twenty): a rubric asks what a resume can answer', () => {
    const c = byId('Site Manager\nRequirements\n- Eleven years of construction experience');
    expect(c.construction).toMatchObject({ minYears: 11, required: true });
    const d = byId('Principal Architect. At least twenty years of software engineering experience.');
    expect(d['years-20']).toMatchObject({ minYears: 20 });
  });

  it('trades, sales and an empty description', () => {
    const trades = byId(
      `Commercial Electrician. Must hold a journeyman license and OSHA 30. 4+ years of electrical installation work; blueprint reading. Forklift experience is a plus.`,
    );
    expect(trades['journeyman-license']?.required).toBe(true);
    expect(trades['osha-30']?.required).toBe(true);
    expect(trades.electrical).toMatchObject({ minYears: 4, required: true });
    expect(trades.forklift?.required).toBe(false);
    const sales = byId(
      `Account Executive\nYou have 2+ years of B2B sales experience and know Salesforce.\nNice to have: negotiation training.`,
    );
    expect(sales['b2b-sales']).toMatchObject({ minYears: 2 });
    expect(sales.crm?.terms).toContain('salesforce');
    expect(sales.negotiation?.required).toBe(false);
    expect(proposeRubric('').criteria).toEqual([]);
  });

  it('"Go" the language, not "go" the verb; a spoken language only when the sentence is about languages', () => {
    const c = byId(`We go fast. You write Go every day. Our office is in Spain and we ship Java.`);
    expect(c.go).toBeDefined();
    expect(c.java).toBeDefined();
    expect(c.spanish).toBeUndefined();
  });

  it('is deterministic', () => {
    expect(JSON.stringify(proposeRubric(BACKEND_JOB))).toBe(JSON.stringify(proposeRubric(BACKEND_JOB)));
  });
});

describe('screenQuestions', () => {
  it('one short question per criterion, must-haves first, never about the person', () => {
    const r = proposeRubric(BACKEND_JOB);
    const qs = screenQuestions(r);
    expect(qs.map((q) => q.criterionId).sort()).toEqual(r.criteria.map((c) => c.id).sort());
    const firstNice = qs.findIndex((q) => !r.criteria.find((c) => c.id === q.criterionId)!.required);
    expect(qs.slice(firstNice).every((q) => !r.criteria.find((c) => c.id === q.criterionId)!.required)).toBe(
      true,
    );
    for (const q of qs) {
      expect(q.question.length).toBeLessThan(140);
      expect(q.question).not.toMatch(/\b(age|old|married|children|nationality|gender|pregnan)/i);
    }
    expect(qs.find((q) => q.criterionId === 'typescript')!.question).toMatch(/How many years .* TypeScript/);
  });
});
