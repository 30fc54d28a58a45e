// The bench dispatcher: `npm run bench -- [suite ...]`. With no name it runs every registered suite in order.
// Each suite prints readable tables as it goes; at the very end every scenario is printed once more as one
// `BENCH {json}` line, for machines. Tuning knobs are environment variables documented by each suite.
//
// To add a suite: write bench/<name>.ts exporting `suite: Suite` (see bench/stats.ts) and add a line below.
import { benchLine, type ScenarioResult, type Suite } from './stats.ts';

const SUITES: Record<string, () => Promise<Suite>> = {
  runtime: async () => (await import('./runtime.ts')).suite,
  api: async () => (await import('./api.ts')).suite,
  support: async () => (await import('./support.ts')).suite,
  engine: async () => (await import('./engine.ts')).suite,
  booking: async () => (await import('./booking.ts')).suite,
  voice: async () => (await import('./voice.ts')).suite,
  hiring: async () => (await import('./hiring.ts')).suite,
  conversations: async () => (await import('./conversations.ts')).suite,
  footprint: async () => (await import('./footprint.ts')).suite,
  channels: async () => {
    const [whatsapp, email] = await Promise.all([
      import('./channels-whatsapp.ts'),
      import('./channels-email.ts'),
    ]);
    return {
      ...whatsapp.suite,
      description: `${whatsapp.suite.description}; email: SMTP intake emails/s vs a bare SMTP server`,
      run: async () => [...(await whatsapp.suite.run()), ...(await email.runEmailBench())],
    };
  },
};

async function main(argv: string[]): Promise<number> {
  const names = argv.filter((a) => a.trim() !== '');
  const unknown = names.filter((n) => !(n in SUITES));
  if (unknown.length) {
    console.error(`unknown bench suite: ${unknown.join(', ')}`);
    console.error(`available: ${Object.keys(SUITES).join(', ')}`);
    return 2;
  }
  const selected = names.length ? [...new Set(names)] : Object.keys(SUITES);
  const results: ScenarioResult[] = [];
  let failed = false;
  for (const name of selected) {
    const suite = await SUITES[name]!();
    console.log(`\n=== bench: ${suite.name} — ${suite.description}\n`);
    const started = performance.now();
    try {
      results.push(...(await suite.run()));
    } catch (err) {
      failed = true;
      console.error(`bench suite ${name} failed:`, err);
    }
    console.log(`\n(${suite.name}: ${((performance.now() - started) / 1000).toFixed(1)} s)`);
  }
  console.log('');
  for (const r of results) console.log(benchLine(r));
  return failed ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
