// Article passages against FAQ entries on the sample KB (examples/northwind-cycles): a passage that holds the
// question's rare words must beat a FAQ entry about a neighbouring question, with a usable confidence, while
// the FAQ keeps its own questions and nonsense stays unsure.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { htmlToText, titleOf } from '../../documents/read.ts';
import { chunkText } from '../../knowledge/chunk.ts';
import { LocalEngine, type PassageInput } from './engine.ts';

const DIR = join(import.meta.dirname, '../../../examples/northwind-cycles');

function northwind(): LocalEngine {
  const faq = JSON.parse(readFileSync(join(DIR, 'faq.json'), 'utf8')) as {
    title: string;
    answer: string;
    phrasings: string[];
  }[];
  const passages: PassageInput[] = [];
  for (const [file, format] of [
    ['warranty.md', 'markdown'],
    ['shipping.html', 'html'],
  ] as const) {
    const raw = readFileSync(join(DIR, file), 'utf8');
    const text = format === 'html' ? htmlToText(raw) : raw;
    const title = titleOf(text, file);
    chunkText(text, format).forEach((c, i) => {
      // The shape engine-cache.ts builds: article title, section heading, section text.
      passages.push({ id: `${file}#${i}`, text: [title, c.heading, c.text].filter(Boolean).join('\n') });
    });
  }
  // As engine-cache.ts does: the title is both the title and a phrasing.
  return LocalEngine.train({
    entries: faq.map((e) => ({
      id: e.title,
      title: e.title,
      answer: e.answer,
      phrasings: [e.title, ...e.phrasings],
    })),
    passages,
  });
}

const engine = northwind();

describe('passages against FAQ entries (northwind-cycles)', () => {
  it('answers from the passage that holds the question’s rare words, confidently', () => {
    const r = engine.match('how long is the warranty on an e-bike motor and battery?');
    expect(r.top).toMatchObject({ id: 'warranty.md#1', kind: 'passage' });
    expect(r.confidence).toBeGreaterThanOrEqual(0.5);
    const frames = engine.match('what does the frame warranty cover?');
    expect(frames.top).toMatchObject({ id: 'warranty.md#0', kind: 'passage' });
    expect(frames.confidence).toBeGreaterThanOrEqual(0.5);
    const claim = engine.match('how do I make a warranty claim?');
    expect(claim.top).toMatchObject({ id: 'warranty.md#2', kind: 'passage' });
  });

  it('prefers the shipping-abroad passage for a foreign destination', () => {
    const r = engine.match('do you ship to France?');
    expect(r.top).toMatchObject({ id: 'shipping.html#0', kind: 'passage' });
  });

  it('keeps FAQ entries for their own questions, with high confidence', () => {
    for (const [q, id] of [
      ['How much is delivery?', 'Delivery costs and times'],
      ['is delivery free?', 'Delivery costs and times'],
      ['what time do you shut on saturdays?', 'Opening hours'],
      ['how much is a service', 'Book a service'],
      ['how long does an e-bike battery last?', 'E-bike battery care'],
      ['<script>alert(1)</script> what are your opening hours?', 'Opening hours'],
    ] as const) {
      const r = engine.match(q);
      expect(r.top, q).toMatchObject({ id, kind: 'faq' });
      expect(r.confidence, q).toBeGreaterThanOrEqual(0.8);
    }
  });

  it('stays unsure about nonsense and off-topic questions', () => {
    for (const q of [
      'zorp blip fnord',
      'the quantum flux capacitor on my spaceship broke',
      'do you sell giraffe costumes for weddings',
    ]) {
      expect(engine.match(q).confidence, q).toBeLessThan(0.2);
    }
  });

  it('puts FAQ and passage candidates on one scale: sorted, top first, confidence = top score', () => {
    for (const q of ['is delivery free?', 'do you ship to France?']) {
      const r = engine.match(q, 5);
      expect(new Set(r.matches.map((m) => m.kind))).toEqual(new Set(['faq', 'passage']));
      for (let i = 1; i < r.matches.length; i++)
        expect(r.matches[i - 1]!.score).toBeGreaterThanOrEqual(r.matches[i]!.score);
      expect(r.confidence).toBe(r.top!.score);
    }
  });

  it('round-trips passage matching through a snapshot', () => {
    const copy = LocalEngine.fromJSON(JSON.parse(JSON.stringify(engine.toJSON())));
    const q = 'how long is the warranty on an e-bike motor and battery?';
    expect(copy.match(q, 3)).toEqual(engine.match(q, 3));
  });
});
