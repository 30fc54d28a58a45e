// Pins `twelve readiness`: flags, presets, JSON, usage errors, and the interactive flow with scripted answers.
import { describe, expect, it } from 'vitest';
import { type CliIo, UsageError } from '../command.ts';
import { type AskFn, MAX_ATTEMPTS, readinessCommand, runReadiness } from './readiness.ts';

interface Captured extends CliIo {
  lines: string[];
  errors: string[];
}

function capture(interactive = false): Captured {
  const lines: string[] = [];
  const errors: string[] = [];
  return {
    lines,
    errors,
    out: (line) => lines.push(line),
    err: (line) => errors.push(line),
    interactive,
    env: {},
  };
}

/** An AskFn that replays answers in order and records the questions it was asked. */
function scripted(answers: string[]): AskFn & { questions: string[] } {
  const questions: string[] = [];
  const fn = async (q: string) => {
    questions.push(q);
    const next = answers.shift();
    if (next === undefined) throw new Error(`unexpected question: ${q}`);
    return next;
  };
  return Object.assign(fn, { questions });
}

describe('twelve readiness', () => {
  it('is registered under `readiness` with usage text', () => {
    expect(readinessCommand.path).toEqual(['readiness']);
    expect(readinessCommand.usage).toContain('--clarity');
  });

  it('prints total, band, mode, verdict and allowances from flags', async () => {
    const io = capture();
    expect(await readinessCommand.run(['--clarity', '5', '--tolerance', '4', '--fallback', '5'], io)).toBe(0);
    expect(io.lines[0]).toBe('Total 14/15 · band ship · mode production');
    expect(io.lines[1]).toBe('Verdict: ship to production');
    const text = io.lines.join('\n');
    expect(text).toContain('write tools (reversible: book, send): run');
    expect(text).toContain('destructive tools (cancel, delete): need approval');
    expect(text).toContain(
      'spend tools (outbound call, paid message): run inside the spend cap, else approval',
    );
  });

  it('scores 4/3/5 as 12, ship', async () => {
    const io = capture();
    await readinessCommand.run(['--clarity', '4', '--tolerance', '3', '--fallback', '5'], io);
    expect(io.lines[0]).toContain('12');
    expect(io.lines[0]).toContain('ship');
  });

  it('shows pilot and shadow allowances', async () => {
    const pilot = capture();
    await readinessCommand.run(['--clarity=4', '--tolerance=3', '--fallback=4'], pilot);
    expect(pilot.lines[0]).toBe('Total 11/15 · band pilot · mode pilot');
    expect(pilot.lines[1]).toBe('Verdict: pilot with guardrails');
    const shadow = capture();
    await readinessCommand.run(['--clarity', '3', '--tolerance', '1', '--fallback', '2'], shadow);
    expect(shadow.lines[0]).toBe('Total 6/15 · band research · mode shadow');
    expect(shadow.lines[1]).toBe('Verdict: do not deploy');
    expect(shadow.lines.join('\n')).toContain('never sent: drafts for humans');
  });

  it('prints JSON with --json', async () => {
    const io = capture();
    await readinessCommand.run(['--clarity', '4', '--tolerance', '4', '--fallback', '5', '--json'], io);
    expect(io.lines).toHaveLength(1);
    const body = JSON.parse(io.lines[0]!);
    expect(body).toMatchObject({
      scores: { clarity: 4, tolerance: 4, fallback: 5 },
      total: 13,
      band: 'ship',
      mode: 'production',
      verdict: 'ship to production',
      allows: { replies: 'sent', read: 'run', write: 'run', destructive: 'approval', spend: 'cap' },
    });
    expect(body.allowsText.spend).toBe('run inside the spend cap, else approval');
  });

  it('uses a preset', async () => {
    const io = capture();
    await readinessCommand.run(['--preset', 'autonomous-sdr'], io);
    expect(io.lines[0]).toBe('Total 7/15 · band research · mode shadow');
    expect(io.lines.join('\n')).toContain('Autonomous SDR');
    const json = capture();
    await readinessCommand.run(['--preset', 'hybrid-cs', '--json'], json);
    expect(JSON.parse(json.lines[0]!)).toMatchObject({ preset: 'hybrid-cs', total: 13, band: 'ship' });
  });

  it('lists presets', async () => {
    const io = capture();
    expect(await readinessCommand.run(['--presets'], io)).toBe(0);
    expect(io.lines).toHaveLength(8);
    expect(io.lines.find((l) => l.startsWith('appointment-booking-voice'))).toContain('5/4/5 = 14 ship');
    const approximate = io.lines.find((l) => l.startsWith('full-cs-replacement'));
    expect(approximate).toMatch(/ = 8 pilot .*\(the source gives about 8; the split into scores is ours\)$/);
    expect(io.lines.join('\n')).not.toContain('≈');
    const json = capture();
    await readinessCommand.run(['--presets', '--json'], json);
    expect(JSON.parse(json.lines[0]!)).toHaveLength(8);
  });

  it.each([
    [
      ['--clarity', '0', '--tolerance', '3', '--fallback', '3'],
      '--clarity must be a whole number from 1 to 5 (got "0")',
    ],
    [['--clarity', '3', '--tolerance', '6', '--fallback', '3'], '--tolerance must be'],
    [['--clarity', '3', '--tolerance', '3', '--fallback', 'x'], '--fallback must be'],
    [['--clarity', '2.5', '--tolerance', '3', '--fallback', '3'], '--clarity must be'],
    [['--clarity', '', '--tolerance', '3', '--fallback', '3'], '--clarity must be'],
    [['--preset', 'nope'], 'unknown preset "nope"'],
    [['--preset', 'hybrid-cs', '--clarity', '3'], 'either --preset or the score flags'],
    [['--bogus'], 'bogus'],
    [['extra'], 'extra'],
  ])('rejects %j with a usage error', async (argv, message) => {
    await expect(readinessCommand.run(argv, capture())).rejects.toThrow(UsageError);
    await expect(readinessCommand.run(argv, capture())).rejects.toThrow(message);
  });

  it('names the missing flags when not interactive', async () => {
    await expect(readinessCommand.run([], capture())).rejects.toThrow(
      'missing --clarity N --tolerance N --fallback N',
    );
    await expect(readinessCommand.run(['--clarity', '4'], capture())).rejects.toThrow(
      /missing --tolerance N --fallback N \(each 1-5\)/,
    );
  });

  it('asks all three questions with guidance, re-asking after invalid answers', async () => {
    const io = capture(true);
    const ask = scripted(['x', '6', '5', '4', ' 5 ']);
    expect(await runReadiness([], io, ask)).toBe(0);
    expect(ask.questions).toEqual([
      'Task clarity score (1-5): ',
      'Task clarity score (1-5): ',
      'Task clarity score (1-5): ',
      'Failure tolerance score (1-5): ',
      'Human fallback score (1-5): ',
    ]);
    const text = io.lines.join('\n');
    expect(text).toContain('Task clarity: is the task specific, bounded, with a clear definition of done?');
    expect(text).toContain('Failure tolerance: what happens when the agent is wrong?');
    expect(text).toContain('Human fallback: is there a human who can take over quickly?');
    expect(text).toContain('"x" is not a score');
    expect(text).toContain('"6" is not a score');
    expect(io.lines).toContain('Total 14/15 · band ship · mode production');
  });

  it('asks only for the missing scores', async () => {
    const io = capture(true);
    const ask = scripted(['3']);
    await runReadiness(['--clarity', '4', '--fallback', '5'], io, ask);
    expect(ask.questions).toEqual(['Failure tolerance score (1-5): ']);
    expect(io.lines.join('\n')).not.toContain('Task clarity: is the task');
    expect(io.lines).toContain('Total 12/15 · band ship · mode production');
  });

  it('keeps stdout pure JSON when asking with --json', async () => {
    const io = capture(true);
    await runReadiness(['--json', '--clarity', '3', '--tolerance', '2'], io, scripted(['2']));
    expect(io.lines).toHaveLength(1);
    expect(JSON.parse(io.lines[0]!)).toMatchObject({ total: 7, band: 'research', mode: 'shadow' });
    expect(io.errors.join('\n')).toContain('Human fallback: is there a human who can take over quickly?');
  });

  it('gives up after repeated invalid answers', async () => {
    const answers = Array.from({ length: MAX_ATTEMPTS }, () => 'nope');
    await expect(
      runReadiness(['--clarity', '4', '--tolerance', '4'], capture(true), scripted(answers)),
    ).rejects.toThrow('no valid fallback score');
  });

  it('ignores an injected ask when not interactive', async () => {
    const ask = scripted(['5', '5', '5']);
    await expect(runReadiness([], capture(false), ask)).rejects.toThrow(UsageError);
    expect(ask.questions).toEqual([]);
  });
});
