// Password strength: at least 12 characters is not enough on its own ("aaaaaaaaaaaa", "password1234" and twelve
// spaces all have 12). zxcvbn-ts estimates how many guesses a password takes, knowing common passwords, keyboard
// rows, repeats, sequences and dates; a password it scores below 3 (fewer than about 10^10 guesses) is refused,
// with the reason it found. Server side only; the dictionaries load on the first check.
import type { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { lazy } from '../lazy.ts';

const zxcvbn = lazy<typeof import('@zxcvbn-ts/core')>('@zxcvbn-ts/core');
const common = lazy<typeof import('@zxcvbn-ts/language-common')>('@zxcvbn-ts/language-common');

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 256;
/** zxcvbn's score (0–4) a password needs: 3 is "safely unguessable", 10^8–10^10 guesses. */
export const MIN_PASSWORD_SCORE = 3;

// zxcvbn's warnings are keys (its English texts are in another, larger package): ours, short.
const WARNINGS: Record<string, string> = {
  straightRow: 'it is a row of keys on the keyboard',
  keyPattern: 'it is a short keyboard pattern',
  simpleRepeat: 'it repeats one character',
  extendedRepeat: 'it repeats a short pattern',
  sequences: 'it is a common sequence such as "abc" or "1234"',
  recentYears: 'it is built on a recent year',
  dates: 'it is built on a date',
  topTen: 'it is one of the ten most used passwords',
  topHundred: 'it is one of the hundred most used passwords',
  common: 'it is a commonly used password',
  similarToCommon: 'it is a commonly used password with small changes',
  wordByItself: 'it is a single word',
  namesByThemselves: 'it is a name',
  commonNames: 'it is a common name',
  userInputs: 'it contains your own details',
};

const JUDGED_LENGTH = 64;
let checker: ZxcvbnFactory | null = null;

/**
 * Why a password is too weak, in words ("it is a commonly used password"), or null when it is strong enough.
 * `userInputs` (an email, a name) count as guessed too.
 */
export function passwordWeakness(password: string, userInputs: string[] = []): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return `it has fewer than ${MIN_PASSWORD_LENGTH} characters`;
  if (password.trim() === '') return 'it is only spaces';
  // The first 64 characters are judged (a longer password is strong by its length): the check's time grows quickly
  // with length, and it runs on the event loop, for requests that are not yet signed in (setup).
  checker ??= new (zxcvbn().ZxcvbnFactory)({
    dictionary: common().dictionary,
    graphs: common().adjacencyGraphs,
    maxLength: JUDGED_LENGTH,
    l33tMaxSubstitutions: 12,
  });
  const result = checker.check(password.slice(0, JUDGED_LENGTH), userInputs);
  if (result.score >= MIN_PASSWORD_SCORE) return null;
  const warning = result.feedback.warning;
  return (warning && WARNINGS[warning]) || 'it is too easy to guess';
}
