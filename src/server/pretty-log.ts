// Log lines for a person at a terminal: pino's JSON (one object a line) turned into "14:05:02 INFO  message  key=value"
// lines, and each request as one line ("GET /api/agents 200 12 ms") instead of pino's two. `twelve start` uses it
// when stdout is a terminal (or LOG_FORMAT=pretty); everywhere else the JSON goes out unchanged for log collectors.
import { Writable } from 'node:stream';

const LEVELS: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};
const COLORS: Record<string, string> = {
  WARN: '\x1b[33m',
  ERROR: '\x1b[31m',
  FATAL: '\x1b[31m',
  DEBUG: '\x1b[2m',
};
/** pino's own fields, shown in the line's frame or not at all. */
const FRAME = new Set([
  'level',
  'time',
  'pid',
  'hostname',
  'msg',
  'reqId',
  'req',
  'res',
  'responseTime',
  'v',
]);

export interface PrettyOptions {
  color?: boolean;
  /** Local time of day by default; tests pass a zone. */
  timeZone?: string;
}

function field(value: unknown): string {
  if (typeof value === 'string') return /\s/.test(value) ? JSON.stringify(value) : value;
  if (value instanceof Object) return JSON.stringify(value);
  return String(value);
}

/**
 * A formatter that remembers each request's method and URL from its "incoming request" line and prints one line when
 * it completes. Returns null for a line it swallows.
 */
export function prettyLogFormatter(options: PrettyOptions = {}): (line: string) => string | null {
  const pending = new Map<string, string>();
  const clock = new Intl.DateTimeFormat('en-GB', {
    timeZone: options.timeZone,
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  });
  return (line) => {
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return line.trimEnd() || null;
    }
    if (typeof o !== 'object' || o === null) return line.trimEnd();
    const level = LEVELS[Number(o.level)] ?? 'INFO';
    const time = clock.format(new Date(typeof o.time === 'number' ? o.time : Date.now()));
    const req = o.req as { method?: string; url?: string } | undefined;
    const res = o.res as { statusCode?: number } | undefined;
    const reqId = typeof o.reqId === 'string' ? o.reqId : null;
    if (o.msg === 'incoming request' && reqId && req) {
      pending.set(reqId, `${req.method ?? ''} ${req.url ?? ''}`);
      return null;
    }
    let msg = String(o.msg ?? '');
    if (o.msg === 'request completed' && reqId) {
      const what = pending.get(reqId) ?? 'request';
      pending.delete(reqId);
      const ms = typeof o.responseTime === 'number' ? ` ${Math.round(o.responseTime)} ms` : '';
      msg = `${what} ${res?.statusCode ?? ''}${ms}`;
    }
    const err = o.err as { message?: string; stack?: string } | undefined;
    const extras = Object.entries(o)
      .filter(([k]) => !FRAME.has(k) && k !== 'err')
      .map(([k, v]) => `${k}=${field(v)}`);
    const text = [`${time} ${level.padEnd(5)} ${msg}`, ...extras].join('  ');
    const withErr = err ? `${text}\n  ${err.stack ?? err.message ?? ''}` : text;
    const color = options.color ? COLORS[level] : undefined;
    return color ? `${color}${withErr}\x1b[0m` : withErr;
  };
}

/** A stream for pino (Fastify's `logger.stream`) that writes pretty lines to `out`. */
export function prettyLogStream(out: NodeJS.WritableStream, options: PrettyOptions = {}): Writable {
  const format = prettyLogFormatter(options);
  let buffered = '';
  return new Writable({
    write(chunk: Buffer | string, _enc, done) {
      buffered += chunk.toString();
      let nl = buffered.indexOf('\n');
      while (nl >= 0) {
        const text = format(buffered.slice(0, nl));
        buffered = buffered.slice(nl + 1);
        if (text !== null) out.write(`${text}\n`);
        nl = buffered.indexOf('\n');
      }
      done();
    },
  });
}

/** Pretty when asked (LOG_FORMAT=pretty), JSON when asked (LOG_FORMAT=json), else pretty only on a terminal. */
export function wantsPrettyLogs(env: NodeJS.ProcessEnv, isTty: boolean): boolean {
  const format = env.LOG_FORMAT?.trim().toLowerCase();
  if (format === 'pretty') return true;
  if (format === 'json') return false;
  return isTty;
}
