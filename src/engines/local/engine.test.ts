// Pins the local engine's contract: determinism, exact snapshot round trip, few-phrasing matching, empty KBs, passages.
import { describe, expect, it } from 'vitest';
import { type FaqEntryInput, LocalEngine } from './engine.ts';
import { normalizeText, stem } from './normalize.ts';

const SMALL_KB: FaqEntryInput[] = [
  {
    id: 'reset-password',
    answer: 'Use the "Forgot password" link on the sign-in page.',
    phrasings: ['How do I reset my password?', 'I forgot my password'],
  },
  {
    id: 'opening-hours',
    answer: 'We are open 9 to 5, Monday to Friday.',
    phrasings: ['What are your opening hours?', 'When are you open?'],
  },
  {
    id: 'refund',
    answer: 'Refunds take 5 business days.',
    phrasings: ['How do I get a refund?', 'I want my money back'],
  },
  {
    id: 'shipping-cost',
    answer: 'Shipping is free above 50 euros.',
    phrasings: ['How much does shipping cost?', 'What are the delivery fees?'],
  },
  {
    id: 'cancel-order',
    answer: 'You can cancel from your order page until it ships.',
    phrasings: ['How can I cancel my order?', 'I need to cancel an order'],
  },
];

describe('normalizeText', () => {
  it('lowercases, folds accents, expands contractions, maps numbers and strips punctuation', () => {
    expect(normalizeText("Café CAN'T wait — it's 2 weeks!")).toBe('cafe can not wait it is num weeks');
    expect(normalizeText('I haven’t got my card')).toBe('i have not got my card');
    expect(normalizeText('   ')).toBe('');
  });

  it('stems inflections to a shared form', () => {
    expect(stem('connected')).toBe(stem('connecting'));
    expect(stem('payments')).toBe(stem('payment'));
    expect(stem('cards')).toBe('card');
  });
});

describe('LocalEngine', () => {
  it('answers paraphrases in a few-phrasing KB and is unsure about unrelated questions', () => {
    const engine = LocalEngine.train({ entries: SMALL_KB });
    const cases: [string, string][] = [
      ['i forgot the password, how to reset it', 'reset-password'],
      ['when do you open?', 'opening-hours'],
      ['can I have a refund please', 'refund'],
      ['how much is shipping', 'shipping-cost'],
      ['cancel my order please', 'cancel-order'],
    ];
    const confident: number[] = [];
    for (const [q, id] of cases) {
      const r = engine.match(q);
      expect(r.top?.id, q).toBe(id);
      expect(r.top?.kind).toBe('faq');
      confident.push(r.confidence);
    }
    const unrelated = engine.match('do you sell giraffe costumes for weddings');
    expect(unrelated.confidence).toBeLessThan(0.3);
    expect(unrelated.confidence).toBeLessThan(Math.min(...confident));
  });

  it("scores an uncalibrated KB's own phrasings with the hand-set weights: near-certain", () => {
    // Too few phrasings to fit a calibrator: the fallback weights apply. They are set by feature name, so a confidence
    // feature added later cannot inherit a neighbour's weight (the bias once landed on a new feature: 0.986-0.989 here).
    const engine = LocalEngine.train({ entries: SMALL_KB });
    expect(engine.calibrated).toBe(false);
    for (const entry of SMALL_KB) {
      for (const q of entry.phrasings) expect(engine.match(q).confidence, q).toBeGreaterThan(0.995);
    }
  });

  it('is deterministic: same input, same snapshot and same results', () => {
    const a = LocalEngine.train({ entries: SMALL_KB }, { seed: 3 });
    const b = LocalEngine.train({ entries: SMALL_KB }, { seed: 3 });
    expect(JSON.stringify(a.toJSON())).toBe(JSON.stringify(b.toJSON()));
    expect(a.match('refund my money')).toEqual(b.match('refund my money'));
  });

  it('round-trips exactly through toJSON / JSON / fromJSON', () => {
    const engine = LocalEngine.train({
      entries: SMALL_KB,
      passages: [{ id: 'p1', text: 'Parcels are shipped with DHL and arrive within three days.' }],
    });
    const copy = LocalEngine.fromJSON(JSON.parse(JSON.stringify(engine.toJSON())));
    for (const q of ['how to reset password', 'when does my parcel arrive with dhl', 'zzz', '']) {
      expect(copy.match(q, 3)).toEqual(engine.match(q, 3));
    }
    expect(() => LocalEngine.fromJSON({ format: 'other' })).toThrow(/snapshot/);
  });

  it('never answers with a question to escalate, and is less sure near one', () => {
    const negatives = [
      'I want to close my account',
      'please close my account for good',
      'close the account and delete my data',
    ];
    const plain = LocalEngine.train({ entries: SMALL_KB }, { seed: 3 });
    const taught = LocalEngine.train({ entries: SMALL_KB, negatives }, { seed: 3 });
    const ids = new Set(SMALL_KB.map((e) => e.id));
    for (const q of [...negatives, 'close my account', 'how do I reset my password', 'zzz']) {
      const r = taught.match(q, 10);
      for (const m of r.matches) expect(ids.has(m.id)).toBe(true);
    }
    // "cancel my account" is near "cancel my order" and nearer still to the questions to escalate.
    expect(taught.match('I want to close my account').confidence).toBeLessThan(
      plain.match('I want to close my account').confidence,
    );
    // Its own questions still answer.
    expect(taught.match('How do I reset my password?').top?.id).toBe('reset-password');
    const copy = LocalEngine.fromJSON(JSON.parse(JSON.stringify(taught.toJSON())));
    expect(copy.match('close my account', 3)).toEqual(taught.match('close my account', 3));
  });

  it('returns no match for an empty KB, an empty question or a question with no known words', () => {
    const empty = LocalEngine.train({ entries: [] });
    expect(empty.match('hello there')).toEqual({ top: null, confidence: 0, matches: [] });
    const engine = LocalEngine.train({ entries: SMALL_KB });
    expect(engine.match('')).toEqual({ top: null, confidence: 0, matches: [] });
    expect(engine.match('?!')).toEqual({ top: null, confidence: 0, matches: [] });
    const blank = LocalEngine.train({ entries: [{ id: 'x', answer: 'a', phrasings: ['', '  '] }] });
    expect(blank.match('anything').top).toBeNull();
  });

  it('retrieves article passages and still prefers a FAQ entry for its own questions', () => {
    const engine = LocalEngine.train({
      entries: SMALL_KB,
      passages: [
        { id: 'warranty#1', text: 'The warranty covers manufacturing defects for two years after purchase.' },
        { id: 'returns#1', text: 'Items can be returned in their original packaging within thirty days.' },
      ],
    });
    const w = engine.match('how long does the warranty cover defects');
    expect(w.top).toMatchObject({ id: 'warranty#1', kind: 'passage' });
    const f = engine.match('how do I reset my password');
    expect(f.top).toMatchObject({ id: 'reset-password', kind: 'faq' });
    const passagesOnly = LocalEngine.train({
      entries: [],
      passages: [{ id: 'a', text: 'Our office is in Lyon.' }],
    });
    expect(passagesOnly.match('where is your office').top?.id).toBe('a');
  });

  it('docks each entry by the words it lacks that the best passage holds, not all entries by the top one', () => {
    const entry = (title: string, phrasings: string[]): FaqEntryInput => ({
      id: title,
      title,
      answer: `${title}.`,
      phrasings: [title, ...phrasings],
    });
    const input = {
      entries: [
        entry('Bike hire', [
          'do you hire e-bikes',
          'can I rent an e-bike',
          'e-bike hire prices',
          'hire an e-bike for a day',
          'do you rent e-bikes to tourists',
        ]),
        entry('Repairs', [
          'can you repair my bike',
          'how long does a repair take',
          'bike repair prices',
          'can you fix my gears',
          'my brakes need fixing',
        ]),
        entry('Opening hours', ['when are you open', 'what time do you close', 'are you open on sunday']),
        entry('Gift cards', ['do you sell gift cards', 'can I buy a voucher', 'gift card balance']),
        entry('Returns', ['how do I return an item', 'can I get a refund', 'return policy']),
        entry('Delivery', [
          'how long does delivery take',
          'how much is shipping',
          'do you deliver on saturday',
        ]),
      ],
      passages: [
        {
          id: 'claim',
          text: 'Warranty\nHow to make a claim\nBring the bike and your receipt to the shop. We lend you a bike if the repair takes longer.',
        },
      ],
    };
    // "repair" is in the passage and in Repairs, not in Bike hire. Whichever entry the classifier puts first (it
    // varies with the seed in a KB this small), Bike hire never outranks the passage for a repair question, and
    // Repairs is never docked for Bike hire's missing word.
    let repairsFirst = 0;
    for (const seed of [1, 2, 3, 4, 5]) {
      const r = LocalEngine.train(input, { seed }).match('do you repair e-bikes', 5);
      const score = (id: string) => r.matches.find((m) => m.id === id)?.score ?? 0;
      expect(score('Bike hire'), `seed ${seed}`).toBeLessThan(score('claim'));
      if (r.top?.id === 'Repairs') repairsFirst++;
      else expect(r.top?.id, `seed ${seed}`).toBe('claim');
    }
    expect(repairsFirst).toBeGreaterThanOrEqual(2);
  });

  it('is not docked by a passage that only shares a word with the question', () => {
    const engine = LocalEngine.train({
      entries: SMALL_KB,
      passages: [
        {
          id: 'tyres',
          text: 'Tyre care guide\nCheck tyre pressure every week: road tyres need 80 to 100 psi.',
        },
        { id: 'warranty', text: 'The warranty covers manufacturing defects for two years after purchase.' },
      ],
    });
    // "week" is the tyre guide's, and the rarest word of the question: a weak passage match (about 0.25) all the
    // same, which took the entry's confidence to nothing when any best passage docked entries in full.
    const r = engine.match('When are you open this week?', 3);
    expect(r.top).toMatchObject({ id: 'opening-hours', kind: 'faq' });
    expect(r.matches[1]).toMatchObject({ id: 'tyres', kind: 'passage' });
  });

  it('keeps confidence in [0, 1] and returns at most k matches, best first', () => {
    const engine = LocalEngine.train({ entries: SMALL_KB });
    for (const q of [
      'password',
      'open open open',
      'x',
      'refund shipping cancel order password hours',
      '1234',
    ]) {
      const r = engine.match(q, 3);
      expect(r.confidence).toBeGreaterThanOrEqual(0);
      expect(r.confidence).toBeLessThanOrEqual(1);
      expect(r.matches.length).toBeLessThanOrEqual(3);
      for (let i = 1; i < r.matches.length; i++) {
        expect(r.matches[i - 1]!.score).toBeGreaterThanOrEqual(r.matches[i]!.score);
      }
      if (r.top) expect(r.top).toEqual(r.matches[0]);
    }
  });

  it('fits a calibrator on larger KBs and gives right answers more confidence than wrong ones', () => {
    // 12 synthetic topics x 12 phrasings: enough rows for the calibration split to kick in.
    const topics = [
      'card',
      'loan',
      'mortgage',
      'pension',
      'insurance',
      'savings',
      'crypto',
      'cheque',
      'overdraft',
      'invoice',
      'salary',
      'stocks',
    ];
    const templates = [
      'how do I get a {t}',
      'question about my {t}',
      'I need help with the {t}',
      'where can I see my {t}',
      'is my {t} ready',
      'problem with {t}',
      '{t} not working',
      'tell me about {t} options',
      'can you explain the {t}',
      'my {t} please',
      'status of the {t}',
      'I want to change my {t}',
    ];
    const entries = topics.map((t) => ({
      id: t,
      answer: `About ${t}`,
      phrasings: templates.map((x) => x.replace('{t}', t)),
    }));
    const engine = LocalEngine.train({ entries });
    expect(engine.calibrated).toBe(true);
    const right = engine.match('what about my overdraft');
    expect(right.top?.id).toBe('overdraft');
    const unknown = engine.match('what is the weather like in Paris');
    expect(right.confidence).toBeGreaterThan(unknown.confidence);
  });

  it('measures from its training rounds how well it tells entries apart, and which it takes for one another', () => {
    const templates = [
      'how do I {t}',
      'I want to {t}',
      'can I {t} online',
      'help me {t}',
      'is it possible to {t}',
      'where do I {t}',
    ];
    const distinct = ['reset my password', 'book a repair', 'find the shop', 'pay by invoice'];
    const entries: FaqEntryInput[] = distinct.map((t) => ({
      id: t,
      answer: t,
      phrasings: templates.map((x) => x.replace('{t}', t)),
    }));
    // Two entries asked in the same words: the engine cannot tell them apart, and says so.
    const mixed = (first: string, second: string) =>
      templates.map((x, i) => x.replace('{t}', i % 2 === 0 ? first : second));
    entries.push(
      { id: 'cancel', answer: 'Cancel.', phrasings: mixed('cancel my order', 'cancel an order') },
      { id: 'cancel-2', answer: 'Also cancel.', phrasings: mixed('cancel an order', 'cancel my order') },
    );
    const engine = LocalEngine.train({ entries });
    const h = engine.health()!;
    expect(h.entries.map((e) => e.id)).toEqual(entries.map((e) => e.id));
    for (const e of h.entries) {
      expect(e.heldOut).toBeGreaterThan(0);
      expect(e.recognized).toBeLessThanOrEqual(e.heldOut);
    }
    const rate = (id: string) => {
      const e = h.entries.find((x) => x.id === id)!;
      return e.recognized / e.heldOut;
    };
    expect(rate('reset my password')).toBe(1);
    expect(Math.min(rate('cancel'), rate('cancel-2'))).toBeLessThan(1);
    const top = h.lookAlike[0]!;
    expect([top.entry, top.other].sort()).toEqual(['cancel', 'cancel-2']);
    expect(h.lookAlike.reduce((n, p) => n + p.count, 0)).toBe(
      h.entries.reduce((n, e) => n + e.heldOut - e.recognized, 0),
    );
    // Kept in the snapshot; a KB too small for training rounds has none.
    expect(LocalEngine.fromJSON(JSON.parse(JSON.stringify(engine.toJSON()))).health()).toEqual(h);
    expect(LocalEngine.train({ entries: SMALL_KB }).health()).toBeNull();
  });
});
