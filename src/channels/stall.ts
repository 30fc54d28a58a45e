// A test-only seam for crash tests with real processes: with TWELVE_TEST_STALL=<point>@<marker>[,<point>@<marker>…]
// in its environment, a process that reaches <point> for a customer message whose text contains <marker> (any
// message without @<marker>) writes "twelve-test: stalled at <point> <key>" to stderr and stops there for good, so
// the test can kill -9 it in exactly that state. Points: inbound.claimed (an email or WhatsApp message claimed,
// nothing written), run.brain (the run and the customer's message written, no answer yet: any channel),
// inbound.handled (answered, the inbound row not yet marked), outbox (the outbox delivers nothing: no send is in
// flight when the process is killed). Without the variable (always, outside tests) it does nothing.
import type { Brain } from '../runtime/types.ts';

export type StallPoint = 'inbound.claimed' | 'run.brain' | 'inbound.handled' | 'outbox';

function armed(point: StallPoint, text: string): boolean {
  const spec = process.env.TWELVE_TEST_STALL;
  if (!spec) return false;
  return spec.split(',').some((one) => {
    const at = one.indexOf('@');
    const name = at < 0 ? one : one.slice(0, at);
    return name === point && text.includes(at < 0 ? '' : one.slice(at + 1));
  });
}

export async function stallPoint(point: StallPoint, key: string, text: string): Promise<void> {
  if (!armed(point, text)) return;
  process.stderr.write(`twelve-test: stalled at ${point} ${key}\n`);
  await new Promise<never>(() => {});
}

/** The brain, stalled at run.brain when armed (the process's environment decides, once per call). */
export function stallableBrain(brain: Brain): Brain {
  if (!process.env.TWELVE_TEST_STALL) return brain;
  return {
    async decide(ctx) {
      const text = typeof ctx.run.trigger.text === 'string' ? ctx.run.trigger.text : '';
      if (ctx.history.length === 0) await stallPoint('run.brain', ctx.run.id, text);
      return brain.decide(ctx);
    },
  };
}
