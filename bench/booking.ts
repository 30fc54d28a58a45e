// The booking bench (`npm run bench -- booking`), on the PostgreSQL server only (several processes share it).
//
// 1. The race: BENCH_BOOKING_ATTEMPTS (default 10,000) booking attempts on a few hot slots (3 staff, 6 hour-long
//    slots, some overlapping) from 3 separate processes (bench/booking-worker.ts, each with its own pg pool and
//    40 attempts in flight), through the real booking command. Counted: bookings made, slot_taken refusals, other
//    errors; then the table is checked for overlapping bookings of one resource (must be 0) and for exactly as
//    many rows as successes.
// 2. Availability search for a business with 20 resources and 5,000 bookings in the month: p50/p99 of a day's
//    search (3 slots, a random day of the month) and of a month's search (20 slots), against a baseline in the same
//    run: the plain indexed SELECT of that day's bookings.
//
// Environment: BENCH_BOOKING_ATTEMPTS, BENCH_BOOKING_SEARCHES (default 500), BENCH_DATABASE_URL.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DateTime } from 'luxon';
import { receptionistAgent, testBusiness } from '../src/agents/receptionist/test-support.ts';
import { newCode, searchSlots } from '../src/business/bookings.ts';
import { profileSaver, resourceCreator, serviceCreator } from '../src/business/profile.ts';
import { createServices } from '../src/context.ts';
import { DATABASE_URL, openTarget } from './db.ts';
import { fmt, type ScenarioResult, type Suite, summarize } from './stats.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const ATTEMPTS = Number(process.env.BENCH_BOOKING_ATTEMPTS ?? 10_000);
const SEARCHES = Number(process.env.BENCH_BOOKING_SEARCHES ?? 500);
const PROCESSES = 3;
const ZONE = 'Europe/London';

const OVERLAPS = `SELECT count(*)::int AS n FROM bookings a JOIN bookings b
  ON a.resource_id = b.resource_id AND a.id < b.id AND a.blocked && b.blocked
  WHERE a.status <> 'cancelled' AND b.status <> 'cancelled'`;

interface WorkerResult {
  booked: number;
  slot_taken: number;
  other: number;
  ms: number;
}

function runWorker(n: number, env: Record<string, string>): Promise<WorkerResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(HERE, 'booking-worker.ts')], {
      env: { ...process.env, ...env, BOOKING_WORKER: String(n) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      const line = out.trim().split('\n').at(-1);
      if (code !== 0 || !line) reject(new Error(`booking worker ${n} exited with ${code}`));
      else resolve(JSON.parse(line) as WorkerResult);
    });
  });
}

async function race(): Promise<ScenarioResult | null> {
  if (ATTEMPTS <= 0) return null;
  const target = await openTarget('pg', 'bench_booking', 10);
  if (!target) return null;
  try {
    const svc = createServices(target.db);
    const b = await testBusiness(svc, { staff: 3, rules: { minNoticeMin: 0, maxDaysAhead: 400 } });
    const day = DateTime.now().setZone(ZONE).plus({ days: 7 }).toISODate()!;
    const slots = ['10:00', '10:30', '11:00', '13:00', '14:00', '16:00'].map(
      (t) => DateTime.fromISO(`${day}T${t}`, { zone: ZONE }).toUTC().toISO()!,
    );
    const schema = (await target.db.query<{ s: string }>('SELECT current_schema() AS s'))[0]!.s;
    const per = Math.ceil(ATTEMPTS / PROCESSES);
    const started = performance.now();
    const results = await Promise.all(
      Array.from({ length: PROCESSES }, (_, n) =>
        runWorker(n, {
          BOOKING_DB_URL: DATABASE_URL,
          BOOKING_SCHEMA: schema,
          BOOKING_AGENT: b.agentId,
          BOOKING_SERVICE: b.services[0]!.id,
          BOOKING_SLOTS: JSON.stringify(slots),
          BOOKING_ATTEMPTS: String(per),
        }),
      ),
    );
    const seconds = (performance.now() - started) / 1000;
    const sum = (k: keyof WorkerResult) => results.reduce((n, r) => n + r[k], 0);
    const overlaps = (await target.db.query<{ n: number }>(OVERLAPS))[0]!.n;
    const rows = (
      await target.db.query<{ n: number }>('SELECT count(*)::int AS n FROM bookings WHERE agent_id = $1', [
        b.agentId,
      ])
    )[0]!.n;
    const result = {
      suite: 'booking',
      scenario: 'race: hot slots from 3 processes',
      attempts: per * PROCESSES,
      booked: sum('booked'),
      slotTaken: sum('slot_taken'),
      otherErrors: sum('other'),
      rows,
      overlaps,
      attemptsPerSecond: Math.round((per * PROCESSES) / seconds),
      pass: overlaps === 0 && rows === sum('booked') && sum('other') === 0,
    };
    console.log(
      `race: ${result.attempts} attempts from ${PROCESSES} processes in ${fmt(seconds)} s (${result.attemptsPerSecond}/s): ` +
        `${result.booked} booked, ${result.slotTaken} slot_taken, ${result.otherErrors} other; ` +
        `${rows} rows, ${overlaps} overlapping → ${result.pass ? 'PASS' : 'FAIL'}`,
    );
    return result;
  } finally {
    await target.cleanup();
  }
}

async function search(): Promise<ScenarioResult[]> {
  const target = await openTarget('pg', 'bench_slots', 10);
  if (!target) return [];
  try {
    const svc = createServices(target.db);
    const agentId = await receptionistAgent(target.db);
    await profileSaver(svc, 'bench', agentId, {
      timezone: ZONE,
      hours: { days: [0, 1, 2, 3, 4, 5, 6], open: '09:00', close: '18:00' },
      rules: { minNoticeMin: 0, maxDaysAhead: 400, slotStepMin: 15 },
    });
    const resources = [];
    for (let i = 0; i < 20; i++)
      resources.push(await resourceCreator(svc, 'bench', agentId, { name: `Staff ${i + 1}` }));
    const service = await serviceCreator(svc, 'bench', agentId, {
      name: 'Trim',
      durationMin: 30,
      resourceIds: resources.map((r) => r.id),
    });
    const month = DateTime.now().setZone(ZONE).plus({ months: 1 }).startOf('month');
    const days = month.daysInMonth!;
    // 5,000 half-hour bookings: every resource on the hour from 09:00, day after day, until there are 5,000.
    const seen = new Set<string>();
    const codes = {
      next(): string {
        let c = newCode();
        while (seen.has(c)) c = newCode();
        seen.add(c);
        return c;
      },
    };
    const rows: [string, string, string, string][] = [];
    outer: for (let d = 0; d < days; d++)
      for (let h = 9; h < 18; h++)
        for (const r of resources) {
          if (rows.length >= 5000) break outer;
          const start = month.plus({ days: d }).set({ hour: h });
          rows.push([
            r.id,
            start.toUTC().toISO()!,
            start.plus({ minutes: 30 }).toUTC().toISO()!,
            codes.next(),
          ]);
        }
    await target.db.query(
      `INSERT INTO bookings (agent_id, code, service_id, resource_id, starts_at, ends_at, blocked, status, customer)
       SELECT $1, x.code, $2, x.resource, x.s, x.e, tstzrange(x.s, x.e), 'confirmed', '{"name": "Bench"}'
       FROM unnest($3::uuid[], $4::timestamptz[], $5::timestamptz[], $6::text[]) AS x(resource, s, e, code)`,
      [
        agentId,
        service.id,
        rows.map((r) => r[0]),
        rows.map((r) => r[1]),
        rows.map((r) => r[2]),
        rows.map((r) => r[3]),
      ],
    );
    await target.db.exec('ANALYZE bookings');
    const now = new Date();
    const dayOf = (i: number) => month.plus({ days: (i * 7) % days }).toISODate()!;
    const time = async (fn: (i: number) => Promise<unknown>) => {
      for (let i = 0; i < 20; i++) await fn(i); // warm-up
      const samples: number[] = [];
      for (let i = 0; i < SEARCHES; i++) {
        const t = performance.now();
        await fn(i);
        samples.push(performance.now() - t);
      }
      return summarize(samples);
    };
    const baseline = await time((i) => {
      const start = DateTime.fromISO(dayOf(i), { zone: ZONE });
      return target.db.query(
        'SELECT * FROM bookings WHERE agent_id = $1 AND starts_at >= $2 AND starts_at < $3',
        [agentId, start.toJSDate(), start.plus({ days: 1 }).toJSDate()],
      );
    });
    const daySearch = await time((i) =>
      searchSlots(target.db, agentId, now, { serviceId: service.id, from: dayOf(i), limit: 3 }),
    );
    const monthSearch = await time((_i) =>
      searchSlots(target.db, agentId, now, {
        serviceId: service.id,
        from: month.toISODate()!,
        to: month.endOf('month').toISODate()!,
        limit: 20,
      }),
    );
    const line = (name: string, s: ReturnType<typeof summarize>) =>
      console.log(`${name.padEnd(44)} p50 ${fmt(s.p50)} ms   p99 ${fmt(s.p99)} ms   (n=${s.n})`);
    console.log(
      `\navailability search: 20 resources, ${rows.length} bookings in ${month.toFormat('LLLL yyyy')}`,
    );
    line('baseline: indexed SELECT of a day’s bookings', baseline);
    line('search a day (3 slots)', daySearch);
    line('search the month (20 slots)', monthSearch);
    const result = (scenario: string, s: ReturnType<typeof summarize>) => ({
      suite: 'booking',
      scenario,
      p50Ms: Number(s.p50.toFixed(3)),
      p99Ms: Number(s.p99.toFixed(3)),
      baselineP50Ms: Number(baseline.p50.toFixed(3)),
      baselineP99Ms: Number(baseline.p99.toFixed(3)),
      target: 'p99 ≤ 20 ms',
      pass: s.p99 <= 20,
    });
    return [
      result('search a day, 20 resources, 5,000 bookings', daySearch),
      result('search the month', monthSearch),
    ];
  } finally {
    await target.cleanup();
  }
}

export const suite: Suite = {
  name: 'booking',
  description: `0 double bookings in ${ATTEMPTS} attempts from ${PROCESSES} processes; availability search p50/p99 vs an indexed SELECT`,
  async run() {
    const out: ScenarioResult[] = [];
    const r = await race();
    if (r) out.push(r);
    out.push(...(await search()));
    return out;
  },
};
