// One booking process of the booking bench (bench/booking.ts): its own pg pool on the shared schema, firing its
// share of booking attempts at the hot slots with a fixed concurrency, then printing one JSON line of counts.
import { bookingCreator } from '../src/business/bookings.ts';
import { createServices } from '../src/context.ts';
import { AppError } from '../src/errors.ts';
import { openPg } from '../src/store/db.ts';

const env = process.env;
const db = openPg(env.BOOKING_DB_URL!, { max: 10, searchPath: `${env.BOOKING_SCHEMA},public` });
const svc = createServices(db, undefined, `bench-${env.BOOKING_WORKER}`);
const slots = JSON.parse(env.BOOKING_SLOTS!) as string[];
const attempts = Number(env.BOOKING_ATTEMPTS);
const concurrency = Number(env.BOOKING_CONCURRENCY ?? 40);
const counts: Record<string, number> = { booked: 0, slot_taken: 0, other: 0 };
let next = 0;
const started = performance.now();
async function lane() {
  while (next < attempts) {
    const i = next++;
    try {
      await bookingCreator(svc, 'bench', env.BOOKING_AGENT!, {
        serviceId: env.BOOKING_SERVICE!,
        start: slots[(i * 7 + Number(env.BOOKING_WORKER)) % slots.length]!,
        customer: { name: `Customer ${env.BOOKING_WORKER}-${i}` },
        idempotencyKey: `w${env.BOOKING_WORKER}-${i}`,
      });
      counts.booked!++;
    } catch (err) {
      if (err instanceof AppError && err.id === 'slot_taken') counts.slot_taken!++;
      else {
        counts.other!++;
        if (counts.other === 1) console.error(err);
      }
    }
  }
}
await Promise.all(Array.from({ length: concurrency }, lane));
console.log(JSON.stringify({ ...counts, ms: performance.now() - started }));
await db.close();
