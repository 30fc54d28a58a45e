// The receptionist's settings schema (AgentKind.config) checks its keys of agent.config on create and update, naming
// the path; other keys (the channels', the platform's) pass through. A linked voice number counts as a voice line for
// readiness, which then wants a transfer number before it trusts the human fallback.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, type TestDb } from '../../../test/support/db.ts';
import { type App, createApp } from '../../app.ts';
import { isAppError } from '../../errors.ts';
import { assessmentRecorder, readinessOf } from '../../readiness/assessments.ts';
import { agentCreator, agentUpdater } from '../../runtime/agents.ts';
import { RECEPTIONIST_KIND } from './routes/bookings.ts';

let db: TestDb;
let app: App;
let n = 0;
beforeAll(async () => {
  db = await openTestDb();
  app = createApp(db, { llm: null });
});
afterAll(() => db?.dispose());

const refusal = async (p: Promise<unknown>) => {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(isAppError(err) && err.id).toBe('validation_failed');
  return (err as { details: { path: (string | number)[] }[] }).details.map((d) => d.path.join('.'));
};

describe('receptionist settings', () => {
  it('refuses a bad voice link or address on create and on update, naming the path; other keys pass', async () => {
    expect(
      await refusal(
        agentCreator(app, 'test', {
          kind: RECEPTIONIST_KIND,
          name: `desk-${++n}`,
          config: { voice: { phoneNumberId: 5 } },
        }),
      ),
    ).toEqual(['config.voice.phoneNumberId']);
    const agent = await agentCreator(app, 'test', {
      kind: RECEPTIONIST_KIND,
      name: `desk-${++n}`,
      config: {
        voice: { phoneNumberId: 'pn_1' },
        address: '3 Mill Lane',
        email: { address: 'desk@example.com' },
      },
    });
    expect(agent.config).toMatchObject({
      voice: { phoneNumberId: 'pn_1' },
      email: { address: 'desk@example.com' },
    });
    expect(await refusal(agentUpdater(app, 'test', agent.id, { config: { address: '' } }))).toEqual([
      'config.address',
    ]);
    // Another kind's agent is not held to the receptionist's schema.
    const custom = await agentCreator(app, 'test', {
      kind: 'custom',
      name: `notes-${++n}`,
      config: { address: 5 },
    });
    expect(custom.config).toEqual({ address: 5 });
  });

  it('counts a linked voice number as a voice line: readiness wants a transfer number', async () => {
    const agent = await agentCreator(app, 'test', {
      kind: RECEPTIONIST_KIND,
      name: `desk-${++n}`,
      escalationContacts: ['owner@example.com'],
      config: { voice: { phoneNumberId: 'pn_2' } },
    });
    await assessmentRecorder(app, 'test', agent.id, { clarity: 4, tolerance: 4, fallback: 5 });
    const before = await readinessOf(db, agent, app.toolsFor(agent));
    const withNumber = await agentUpdater(app, 'test', agent.id, { transferNumber: '+44 20 7946 0000' });
    const after = await readinessOf(db, withNumber, app.toolsFor(withNumber));
    const fallback = (r: typeof before) => JSON.stringify(r.evidence?.checks ?? []);
    expect(fallback(before)).not.toEqual(fallback(after));
    expect(fallback(before)).toMatch(/transfer/i);
  });
});
