// redact: names (header, "Name:", the known name everywhere), contact details, addresses, URLs, ages and birth
// dates, gender words, marital status and nationality become placeholders; spans point at them; work facts stay.
import { describe, expect, it } from 'vitest';
import { RESUME_MAX_CHARS } from '../resume.ts';
import { redact } from './redact.ts';
import { proposeRubric } from './rubric.ts';
import { scoreResume } from './score.ts';

function kinds(text: string, known?: Parameters<typeof redact>[1]) {
  return redact(text, known).redactions.map((r) => r.kind);
}

describe('redact', () => {
  it('a header block: name, email, phone, street address, postcode, profile URL', () => {
    const text = `Jane Doe\njane.doe@example.com | +44 7700 900123 | 42 Baker Street, London NW1 6XE\nhttps://github.com/janedoe`;
    const r = redact(text);
    expect(r.text).toBe('[NAME]\n[EMAIL] | [PHONE] | [ADDRESS], London [ADDRESS]\n[URL]');
    for (const s of r.redactions) expect(r.text.slice(s.start, s.end)).toMatch(/^\[[A-Z]+\]$/);
    expect(kinds(text)).toEqual(['name', 'email', 'phone', 'address', 'address', 'url']);
  });

  it('the known name everywhere, in parts too; labelled lines; US address; phone formats', () => {
    const text = `CURRICULUM VITAE\nName: Maria Garcia Lopez\n1200 Elm Avenue, Springfield, IL 62704\n(555) 201-7788\nGarcia led the migration. Maria's team shipped on time. Contact: maria@x.io`;
    const r = redact(text, { name: 'Maria Garcia Lopez', email: 'maria@x.io', phone: '555-201-7788' });
    expect(r.text).not.toMatch(/Maria|Garcia|Lopez|Elm|62704|201-7788|maria@x\.io/);
    expect(r.text).toContain('[NAME] led the migration.');
    expect(r.text).toContain('[PHONE]');
  });

  it('age, birth date, gender words, marital status, nationality, photo', () => {
    const text = `Date of birth: 12/03/1988. Age: 38. Gender: female. Mrs Smith. She is married with 2 children.
Nationality: Nigerian. British citizen. 45 years old. [photo of candidate]
Marital status: single`;
    const r = redact(text, { name: 'Smith' });
    expect(r.text.replace(/\[[A-Z]+\]/g, '')).not.toMatch(
      /1988|\b38\b|female|Mrs|She\b|married|children|Nigerian|British|45 years|photo|single/i,
    );
    expect(new Set(kinds(text, { name: 'Smith' }))).toEqual(
      new Set(['birthdate', 'age', 'gender', 'name', 'marital', 'nationality', 'photo']),
    );
  });

  it('keeps what is evidence: dates, years, numbers, languages, cities in job lines, skills', () => {
    const text = `Experience\nSenior Engineer, Acme — Jan 2018 – Present\n- Cut costs by 30% on 12 services; 5 years of Go.\n- 2015-2019 Software Engineer at Globex\nLanguages: German (fluent), French\nWorked my way up from support.`;
    const r = redact(text);
    expect(r.text).toBe(text);
    expect(r.redactions).toEqual([]);
  });

  it('spans are in the redacted text and in order', () => {
    const r = redact('Ann Lee\nann@lee.dev, +1 415 555 0100, she/her');
    let last = -1;
    for (const s of r.redactions) {
      expect(s.start).toBeGreaterThan(last);
      last = s.end;
    }
    expect(r.text).toBe('[NAME]\n[EMAIL], [PHONE], [GENDER]/[GENDER]');
  });

  // A resume is untrusted text up to RESUME_MAX_CHARS. Each of these once took 20–30 s to redact (an email pattern and
  // a label lookbehind that backtracked over long runs) or seconds to score (a study check per date range on one
  // line): a hostile upload could hold a worker for minutes. Linear now, the whole set runs in a few seconds.
  it('redacts and scores hostile texts at the size limit without backtracking blow-ups', () => {
    const n = RESUME_MAX_CHARS;
    const runs = [' ', '1', 'a.', 'a-', '2019 - ', 'Jan 2019 – ', 'a@', '+1 ', 'a\n', 'name:   ', '1/', '1,'];
    const rubric = proposeRubric(
      'Backend engineer: 5+ years of TypeScript and PostgreSQL, a degree, AWS certified.',
    );
    for (const run of runs) {
      const text = run.repeat(Math.ceil(n / run.length)).slice(0, n);
      const r = redact(text, { name: 'Ann Lee', email: 'ann@lee.dev', phone: '+1 415 555 0100' });
      expect(r.text.length).toBeGreaterThan(0);
      expect(scoreResume(rubric, r.text).score).toBeGreaterThanOrEqual(0);
    }
  }, 30_000);
});
