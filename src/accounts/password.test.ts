// Password strength: the trivial and common passwords of 12 characters or more that the length rule let through are
// refused with the reason; long, uncommon ones pass.
import { describe, expect, it } from 'vitest';
import { passwordWeakness } from './password.ts';

describe('passwordWeakness', () => {
  it.each([
    ['            ', 'it is only spaces'],
    ['aaaaaaaaaaaa', 'it repeats one character'],
    ['password1234', 'it is a commonly used password with small changes'],
    ['123456789012', 'it is a commonly used password'],
    ['abcdefghijklmn', 'it is a common sequence such as "abc" or "1234"'],
    ['qwertyuiopasdf', 'it is a commonly used password with small changes'],
    ['short-one', 'it has fewer than 12 characters'],
  ])('refuses %j: %s', (password, why) => {
    expect(passwordWeakness(password)).toBe(why);
  });

  it('counts what it is told about the person as guessed', () => {
    expect(passwordWeakness('Zanzibar-Quill', [])).toBeNull();
    expect(passwordWeakness('Zanzibar-Quill', ['zanzibar-quill@example.com', 'Zanzibar-Quill'])).toBe(
      'it contains your own details',
    );
  });

  it('accepts long uncommon passwords, and judges only the first 64 characters of a long one', () => {
    for (const p of ['Vivid-meadow-Orbits-42', 'correct horse battery staple', 'Slate-harbor-7-Quietly']) {
      expect(passwordWeakness(p), p).toBeNull();
    }
    expect(passwordWeakness('a'.repeat(256))).toBe('it repeats one character');
  });
});
