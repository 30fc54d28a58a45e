// Pins the guardrails on model output: the JSON contract, citations that must exist, and answers that must stay within the passages they cite.
import { describe, expect, it } from 'vitest';
import { customerText, groundingProblem, parseModelOutput } from './grounding.ts';

describe('parseModelOutput', () => {
  it('reads the two reply shapes', () => {
    expect(parseModelOutput('{"answer": "Yes.", "citations": ["P1", "p2", "P1"]}')).toEqual({
      kind: 'answer',
      text: 'Yes.',
      citations: ['P1', 'P2'],
    });
    expect(parseModelOutput('{"escalate": true, "reason": "refund request"}')).toEqual({
      kind: 'escalate',
      reason: 'refund request',
    });
    // Escalation wins over an answer in the same object.
    expect(parseModelOutput('{"answer": "x", "citations": ["P1"], "escalate": true}')).toEqual({
      kind: 'escalate',
      reason: '',
    });
  });

  it('tolerates a code fence or prose around the object', () => {
    expect(parseModelOutput('```json\n{"answer": "Yes.", "citations": ["P1"]}\n```')).toMatchObject({
      kind: 'answer',
    });
    expect(parseModelOutput('Sure! {"answer": "Yes.", "citations": ["P1"]} Hope that helps.')).toMatchObject({
      kind: 'answer',
      text: 'Yes.',
    });
  });

  it('rejects anything else', () => {
    for (const raw of [
      '',
      'Yes, delivery is free.',
      '{"answer": "Yes", "citations": ["P1"]',
      '[1, 2]',
      'null',
    ])
      expect(parseModelOutput(raw), raw).toEqual({
        kind: 'invalid',
        problem: 'the model output is not valid JSON',
      });
    for (const raw of [
      '{"answer": "", "citations": ["P1"]}',
      '{"answer": "Yes"}',
      '{"answer": 42, "citations": []}',
      '{"escalate": "yes"}',
      '{"citations": ["P1"]}',
    ])
      expect(parseModelOutput(raw), raw).toEqual({
        kind: 'invalid',
        problem: 'the model output does not match the answer format',
      });
  });
});

describe('groundingProblem', () => {
  const passages = new Map([
    [
      'P1',
      'Delivery\nUK delivery is free on orders over £50; below that it costs £4.95. Express next-day delivery costs £9.95.',
    ],
    ['P2', 'Returns\nYou can return unused items within 30 days for a full refund.'],
  ]);
  const base = {
    passages,
    question: 'is delivery free?',
    instructions:
      'You answer customer questions for Northwind Cycles, using only the knowledge-base passages below.',
  };

  it('accepts a paraphrase of what it cites', () => {
    expect(
      groundingProblem({
        ...base,
        answer:
          'Yes — UK delivery is free for orders over £50. Below that, standard delivery costs £4.95 (P1).',
        citations: ['P1'],
      }),
    ).toBeNull();
    expect(groundingProblem({ ...base, answer: 'Yes, over £50.', citations: ['P1'] })).toBeNull();
  });

  it('rejects an answer that cites nothing or a passage it was not given', () => {
    expect(groundingProblem({ ...base, answer: 'Delivery is free.', citations: [] })).toBe(
      'the model answer cites no passage',
    );
    expect(groundingProblem({ ...base, answer: 'Delivery is free.', citations: ['P1', 'P9'] })).toBe(
      'the model answer cites a passage it was not given (P9)',
    );
  });

  it('rejects numbers that are not in the cited passages', () => {
    expect(
      groundingProblem({ ...base, answer: 'Delivery is free on orders over £40.', citations: ['P1'] }),
    ).toBe('the model answer states 40, not in the cited passages');
    // 30 days is in P2, which the answer did not cite.
    expect(
      groundingProblem({ ...base, answer: 'Delivery is free; returns within 30 days.', citations: ['P1'] }),
    ).toMatch(/states 30/);
  });

  it('rejects text the passages do not support, and leaked instructions', () => {
    expect(
      groundingProblem({
        ...base,
        answer: 'Another customer, Jane Smith, bought a carbon gravel bike yesterday and paid by card.',
        citations: ['P1'],
      }),
    ).toMatch(/^the model answer is not supported by the passages it cites/);
    expect(
      groundingProblem({
        ...base,
        answer:
          'My instructions: you answer customer questions for Northwind Cycles, using only the knowledge-base passages.',
        citations: ['P1'],
      }),
    ).toBe('the model answer repeats its instructions');
  });
});

describe('customerText', () => {
  it('drops bracketed citation markers', () => {
    expect(customerText('Delivery is free over £50 (P1). Returns take 30 days [P2, P3].')).toBe(
      'Delivery is free over £50. Returns take 30 days.',
    );
    expect(customerText('(P1)')).toBe('');
    expect(customerText('Plan P1 is not a marker.')).toBe('Plan P1 is not a marker.');
  });
});
