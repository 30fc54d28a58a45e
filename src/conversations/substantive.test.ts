// The customer's real question: hand-off requests (the widget's button text among them), greetings and thanks are
// never taken for it; a hand-off request that also says what it is about is.
import { describe, expect, it } from 'vitest';
import { PERSON_REQUEST_TEXT } from '../channels/webchat/session.ts';
import { customerQuestion, isSubstantive, substantiveQuestions } from './substantive.ts';

const inbound = (body: string) => ({ author: 'customer', direction: 'in', body });

describe('substantive customer messages', () => {
  it('never takes a request for a person, a greeting or a thanks for the question', () => {
    for (const t of [
      PERSON_REQUEST_TEXT,
      'I want to speak to a human',
      'human',
      'Can I talk to someone please?',
      'real person!',
      'thanks',
      'Thank you very much!',
      'hi',
      'ok',
      '???',
      '   ',
    ])
      expect(isSubstantive(t), t).toBe(false);
  });

  it('keeps questions, and a hand-off request that says what it is about', () => {
    for (const t of [
      'do you repair cars?',
      'Where is my order 1234',
      'I want to talk to a person about my refund for the broken wheel',
    ])
      expect(isSubstantive(t), t).toBe(true);
  });

  it('picks the last substantive customer message, skipping the agent and the button press', () => {
    const messages = [
      inbound('hi'),
      inbound('do you repair cars?'),
      { author: 'agent', direction: 'out', body: 'We service bikes: prices from $45.' },
      inbound('my e-bike battery drains overnight'),
      { author: 'agent', direction: 'out', body: "I'm not sure I understood." },
      inbound(PERSON_REQUEST_TEXT),
      inbound('thanks'),
    ];
    expect(customerQuestion(messages)).toBe('my e-bike battery drains overnight');
    expect(substantiveQuestions(messages)).toEqual([
      'do you repair cars?',
      'my e-bike battery drains overnight',
    ]);
    expect(customerQuestion([inbound(PERSON_REQUEST_TEXT)])).toBeNull();
  });
});
