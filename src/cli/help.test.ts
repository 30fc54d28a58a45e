// Every command's `--help` explains every flag the command parses, and shows an example. The flags are taken from
// the command itself: parseArgs is wrapped to record the options each command hands it, so a flag added to a
// command without a line in its help fails here.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { captureIo } from '../../test/support/cli.ts';

const seen = vi.hoisted(() => ({ options: null as Record<string, unknown> | null }));
vi.mock('node:util', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:util')>();
  const parseArgs: typeof real.parseArgs = ((config: Parameters<typeof real.parseArgs>[0]) => {
    seen.options = { ...(config?.options ?? {}) };
    return real.parseArgs(config);
  }) as typeof real.parseArgs;
  return { ...real, default: { ...real, parseArgs }, parseArgs };
});

const { commands } = await import('./registry.ts');
const { main } = await import('./main.ts');

afterEach(() => {
  seen.options = null;
});

describe('CLI help', () => {
  it.each(commands.map((c) => [c.path.join(' '), c] as const))(
    '`twelve %s --help` explains each flag it parses, with an example',
    async (_name, command) => {
      const io = captureIo({ TWELVE_DATA_DIR: '/nonexistent/twelve-help-test' });
      // An unknown flag: the command parses its options and refuses before doing anything.
      expect(await command.run(['--twelve-no-such-flag'], io).catch(() => 2)).not.toBe(0);
      expect(seen.options, 'the command parses its options with parseArgs').not.toBeNull();
      const flags = Object.keys(seen.options ?? {});
      const help = captureIo({});
      expect(await main([...command.path, '--help'], help)).toBe(0);
      const text = help.stdout.join('\n');
      // Each flag on a line of its own that says what it does (not only in the synopsis).
      for (const flag of flags)
        expect(text, `--${flag}`).toMatch(new RegExp(`^ *--${flag}(?![a-z-])[^\n]*\\S+ \\S+`, 'm'));
      expect(text).toMatch(/Examples?\b[^\n]*:\n {2}.*twelve /);
    },
  );

  it('lists the commands of a group given alone, such as `twelve kb`', async () => {
    const io = captureIo({});
    expect(await main(['kb'], io)).toBe(2);
    const out = io.stdout.join('\n');
    for (const sub of ['kb import', 'kb health', 'kb suggest']) expect(out).toContain(sub);
    expect(io.stderr.join('\n') + out).not.toMatch(/unknown command/);
    const help = captureIo({});
    expect(await main(['kb', '--help'], help)).toBe(0);
    expect(help.stdout.join('\n')).toContain('kb import');
    const wrong = captureIo({});
    expect(await main(['kb', 'frob'], wrong)).toBe(2);
    expect(wrong.stderr.join('\n')).toMatch(/unknown command "kb frob"; twelve kb has these commands/);
  });
});
