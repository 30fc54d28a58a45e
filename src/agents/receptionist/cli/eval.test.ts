import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliIo, UsageError } from '../../../cli/command.ts';
import type { CliAppOpener } from '../../kind.ts';
import { evalReceptionistCommand } from './eval.ts';

const notOpened: CliAppOpener = async () => {
  throw new Error('the eval must not open the app without --agent');
};

function capture(): CliIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    stdout,
    stderr,
    out: (l) => stdout.push(l),
    err: (l) => stderr.push(l),
    interactive: false,
    env: {},
  };
}

const base = { now: '2026-03-27T16:05:00', tz: 'Europe/London', services: ['Haircut', 'Colour'] };
const line = (text: string, expect: Record<string, unknown>) => JSON.stringify({ ...base, text, expect });

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'twelve-eval-receptionist-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, lines: string[]): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, `${lines.join('\n')}\n`);
  return path;
}

describe('twelve eval receptionist', () => {
  it('scores each expected field, overall and per intent, and lists the mistakes (--json)', async () => {
    const path = await file('small.jsonl', [
      line('can I get a haircut next Tuesday after 3', {
        intent: 'book',
        service: 'Haircut',
        date: '2026-03-31',
        time: '15:00',
        timeQualifier: 'after',
      }),
      // Deliberately mislabelled: the date is 1 April, the file says 2 April.
      line('any openings wednesday afternoon', {
        intent: 'availability',
        date: '2026-04-02',
        timeQualifier: 'afternoon',
      }),
      line('how much is a colour?', { intent: 'question', service: 'Colour' }),
      line('thanks', { intent: 'other', service: null }),
    ]);
    const io = capture();
    const code = await evalReceptionistCommand(notOpened).run(['--test', path, '--json'], io);
    expect(code).toBe(0);
    const r = JSON.parse(io.stdout.join('\n'));
    expect(r.lines).toBe(4);
    expect(r.intentAccuracy).toBe(1);
    expect(r.serviceAccuracy).toBe(1);
    expect(r.fields.service.scored).toBe(3); // null counts: "no service" is scored
    expect(r.dateAccuracy).toBe(0.5);
    expect(r.timeAccuracy).toBe(1);
    expect(r.fields.time.scored).toBe(1); // absent from expect: not scored
    expect(r.perIntent.availability.fields.date).toMatchObject({ correct: 0, scored: 1 });
    expect(r.perIntent.book.fields.date).toMatchObject({ correct: 1, scored: 1 });
    expect(r.mistakes).toEqual([
      {
        line: 2,
        text: 'any openings wednesday afternoon',
        field: 'date',
        expected: '2026-04-02',
        got: '2026-04-01',
      },
    ]);
  });

  it('prints the figures and the mistakes for people', async () => {
    const path = await file('people.jsonl', [
      line('a colour tomorrow at 11', {
        intent: 'book',
        service: 'Colour',
        date: '2026-03-28',
        time: '11:00',
      }),
      line('a haircut at 4', { intent: 'book', time: '10:00' }),
    ]);
    const io = capture();
    await evalReceptionistCommand(notOpened).run(['--test', path], io);
    const text = io.stdout.join('\n');
    expect(text).toMatch(/intent accuracy\s+100\.0%\s+\(2\/2\)/);
    expect(text).toMatch(/time accuracy\s+50\.0%\s+\(1\/2\)/);
    expect(text).toMatch(/book\s+2 lines/);
    expect(text).toContain('line 2 "a haircut at 4": time expected "10:00", got "16:00"');
  });

  it('refuses a bad line, naming the file, the line and what is wrong', async () => {
    const cases: [string, RegExp][] = [
      ['{"now": "2026-03-27T16:05:00"', /bad\.jsonl:2: not valid JSON/],
      [JSON.stringify({ ...base, tz: 'Mars/Olympus', text: 'hi', expect: { intent: 'other' } }), /:2: "tz"/],
      [
        JSON.stringify({ ...base, text: 'hi', expect: { intent: 'chat' } }),
        /:2: "expect.intent" must be one of/,
      ],
      [
        JSON.stringify({ ...base, text: 'hi', expect: { intent: 'book', date: '31/03/2026' } }),
        /:2: "expect.date"/,
      ],
      [
        JSON.stringify({ ...base, now: '2026-03-27T16:05:00Z', text: 'hi', expect: { intent: 'other' } }),
        /:2: "now"/,
      ],
      [
        JSON.stringify({ ...base, text: 'hi', expect: { intent: 'other', colour: 'red' } }),
        /:2: "expect.colour" is not/,
      ],
    ];
    for (const [bad, message] of cases) {
      const path = await file('bad.jsonl', [line('thanks', { intent: 'other' }), bad]);
      const run = evalReceptionistCommand(notOpened).run(['--test', path], capture());
      await expect(run).rejects.toThrow(UsageError);
      await expect(evalReceptionistCommand(notOpened).run(['--test', path], capture())).rejects.toThrow(
        message,
      );
    }
  });

  it('refuses --agent until the receptionist kind wires a business reader, and uses the reader when it is', async () => {
    const path = await file('agent.jsonl', [
      line('a trim tomorrow at 3', { intent: 'book', service: 'Trim' }),
    ]);
    await expect(
      evalReceptionistCommand(notOpened).run(['--test', path, '--agent', 'salon'], capture()),
    ).rejects.toThrow(/not available until the receptionist kind is registered/);
    let closed = false;
    const open: CliAppOpener = async () =>
      ({
        close: async () => {
          closed = true;
        },
      }) as never;
    const io = capture();
    await evalReceptionistCommand(open, async (_ctx, name) =>
      name === 'salon' ? { services: ['Trim', 'Perm'], tz: 'Europe/London' } : null,
    ).run(['--test', path, '--agent', 'salon', '--json'], io);
    expect(JSON.parse(io.stdout.join('')).serviceAccuracy).toBe(1);
    expect(closed).toBe(true);
    await expect(
      evalReceptionistCommand(open, async () => null).run(['--test', path, '--agent', 'nobody'], capture()),
    ).rejects.toThrow(/no receptionist agent named "nobody"/);
  });

  it('shows progress on stderr for large files, keeping stdout for the report', async () => {
    const lines = Array.from({ length: 2500 }, (_, i) =>
      line(i % 2 ? 'a haircut tomorrow at 3' : 'thanks', { intent: i % 2 ? 'book' : 'other' }),
    );
    const io = capture();
    await evalReceptionistCommand(notOpened).run(['--test', await file('big.jsonl', lines), '--json'], io);
    expect(io.stderr).toEqual(['understood 1000/2500', 'understood 2000/2500']);
    expect(JSON.parse(io.stdout.join('')).lines).toBe(2500);
  });

  it('reaches 95% on each of intent, service, date and time on the held-out set in examples/', async () => {
    const io = capture();
    await evalReceptionistCommand(notOpened).run(
      ['--test', 'examples/receptionist/test.jsonl', '--json'],
      io,
    );
    const r = JSON.parse(io.stdout.join(''));
    expect(r.lines).toBeGreaterThanOrEqual(150);
    for (const k of [
      'intentAccuracy',
      'serviceAccuracy',
      'dateAccuracy',
      'timeAccuracy',
      'timeQualifierAccuracy',
    ])
      expect(r[k], k).toBeGreaterThanOrEqual(0.95);
  });
});
