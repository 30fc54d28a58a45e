// luxon, one copy of it: pg-boss's cron-parser requires luxon's CommonJS build, and an `import` would load its ES
// build beside it (two builds of a package are two modules: its source, ≈ 0.5 MB as V8 holds it, and its objects
// twice in every node). Everything in src/ takes DateTime from here.
import { createRequire } from 'node:module';
import type * as Luxon from 'luxon';

export const { DateTime } = createRequire(import.meta.url)('luxon') as typeof Luxon;
export type DateTime = Luxon.DateTime;
