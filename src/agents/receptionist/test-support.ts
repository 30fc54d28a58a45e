// A business for the receptionist's tests and the booking bench: an agent row, a profile, resources and services.
import { randomUUID } from 'node:crypto';
import {
  type BookingRules,
  type BusinessResource,
  type BusinessService,
  profileSaver,
  resourceCreator,
  serviceCreator,
} from '../../business/profile.ts';
import type { Services } from '../../context.ts';
import type { Queryable } from '../../store/db.ts';

/** An agent of the receptionist kind, inserted directly (no escalation contacts, no readiness: for the parts' own tests). */
export async function receptionistAgent(
  q: Queryable,
  name = `desk-${randomUUID().slice(0, 8)}`,
): Promise<string> {
  const [row] = await q.query<{ id: string }>(
    `INSERT INTO agents (kind, name, display_name) VALUES ('receptionist', $1, $1) RETURNING id`,
    [name],
  );
  return row!.id;
}

export interface TestBusiness {
  agentId: string;
  resources: BusinessResource[];
  services: BusinessService[];
}

/** A salon: `staff` people working the business's week, one service of `durationMin` every one of them does. */
export async function testBusiness(
  svc: Services,
  options: {
    timezone?: string;
    hours?: Record<string, unknown>;
    rules?: Partial<BookingRules>;
    staff?: number;
    durationMin?: number;
    bufferBeforeMin?: number;
    bufferAfterMin?: number;
  } = {},
): Promise<TestBusiness> {
  const agentId = await receptionistAgent(svc.db);
  await profileSaver(svc, 'test', agentId, {
    timezone: options.timezone ?? 'Europe/London',
    hours: options.hours ?? { days: [1, 2, 3, 4, 5, 6, 7], open: '09:00', close: '18:00' },
    rules: { minNoticeMin: 0, maxDaysAhead: 400, slotStepMin: 15, ...options.rules },
  });
  const resources: BusinessResource[] = [];
  for (let i = 0; i < (options.staff ?? 2); i++)
    resources.push(await resourceCreator(svc, 'test', agentId, { name: `Staff ${i + 1}`, kind: 'staff' }));
  const service = await serviceCreator(svc, 'test', agentId, {
    name: 'Haircut',
    durationMin: options.durationMin ?? 60,
    priceCents: 3500,
    bufferBeforeMin: options.bufferBeforeMin ?? 0,
    bufferAfterMin: options.bufferAfterMin ?? 0,
    resourceIds: resources.map((r) => r.id),
  });
  return { agentId, resources, services: [service] };
}
