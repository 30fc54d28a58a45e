// The demo's phone screen: the example career site gets a screen line (Europe/London, weekdays 09:00–17:00), its
// best qualified candidate of the first job is invited and books the first free time, and the call's end-of-call-
// report is delivered through the same handler as Vapi's webhook (screenWebhookMessage: validated, grounded, stored
// once), with a scripted transcript: consent, then the job's questions answered (the last one only partly). No call
// is placed and no row is written by hand; running the demo again leaves a finished screen as it is.
import type { KindContext } from '../../kind.ts';
import { listCandidates } from '../applications.ts';
import type { Job } from '../jobs.ts';
import { screenWebhookMessage } from '../routes/screens.ts';
import {
  invitationPage,
  latestScreen,
  screenBooker,
  screenInviter,
  screenSetupOf,
  screenSetupSaver,
} from '../screen/screens.ts';
import { consentQuestion } from '../screen/vapi.ts';

const DEMO_PHONE = '+44 7700 900000';

function answerFor(question: string, label: string, last: boolean): string {
  if (/years of professional experience/.test(question))
    return 'About eight years. Most recently I was a senior engineer on a payments team.';
  if (last) return "Honestly I haven't done much of that yet, but I am keen to learn.";
  return `Yes. At my last job I used ${label} every day; I built and ran a service with it that handled our orders.`;
}

export async function demoScreen(
  app: KindContext,
  agent: { id: string; name: string; displayName: string },
  job: Job,
  base: string,
): Promise<string | null> {
  if (!(await screenSetupOf(app.db, agent.id)))
    await screenSetupSaver(app, 'cli', agent.id, {
      timezone: 'Europe/London',
      hours: { days: [1, 2, 3, 4, 5], open: '09:00', close: '17:00' },
      durationMin: 20,
      lines: 1,
    });
  const candidates = await listCandidates(app.db, job.id);
  const existing = await Promise.all(candidates.map((c) => latestScreen(app.db, c.id)));
  const done = existing.findIndex((s) => s?.reportAt);
  if (done >= 0) return `${candidates[done]!.name}: ${existing[done]!.summary}`;
  const top = candidates.find((c) => c.qualified === true);
  if (!top) return null;
  const invited = await screenInviter(app, 'cli', top.id, { base, mailer: null });
  const token = invited.link.slice(invited.link.indexOf('#') + 1);
  const page = await invitationPage(app, agent.name, token);
  const slot = page.slots[0];
  if (!slot) return null;
  await screenBooker(app, agent.name, { token, start: slot.start, phone: DEMO_PHONE });
  const screen = (await latestScreen(app.db, top.id))!;
  const callId = `demo-${screen.id}`;
  const lines = [
    `AI: ${consentQuestion({ firstName: top.name.split(/\s+/)[0] ?? '', company: agent.displayName, job: job.title })}`,
    'User: Yes, that is fine, go ahead.',
  ];
  screen.questions.forEach((q, i) => {
    lines.push(
      `AI: ${q.question}`,
      `User: ${answerFor(q.question, q.label, i === screen.questions.length - 1)}`,
    );
  });
  lines.push('AI: Thank you. A person from the company will review this screen and be in touch. Goodbye.');
  const transcript = lines.join('\n');
  const now = app.clock.now().getTime();
  await screenWebhookMessage(app, {
    message: {
      type: 'end-of-call-report',
      timestamp: now,
      endedReason: 'assistant-ended-call',
      call: { id: callId, type: 'outboundPhoneCall', status: 'ended' },
      assistant: { metadata: { twelveScreenId: screen.id } },
      startedAt: new Date(now - 6 * 60_000).toISOString(),
      endedAt: new Date(now).toISOString(),
      cost: 0,
      analysis: { summary: 'Demo call.' },
      artifact: { transcript, messages: [] },
    },
  });
  const after = (await latestScreen(app.db, top.id))!;
  return `${top.name}: ${after.summary}`;
}
