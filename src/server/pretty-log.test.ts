// Terminal log lines: pino's JSON becomes "time LEVEL message key=value" lines, a request is one line with its
// method, URL, status and duration, errors keep their stack, and LOG_FORMAT or the terminal decides the format.
import { describe, expect, it } from 'vitest';
import { prettyLogFormatter, prettyLogStream, wantsPrettyLogs } from './pretty-log.ts';

const at = Date.parse('2026-12-07T14:05:02Z');
const line = (o: Record<string, unknown>) =>
  JSON.stringify({ level: 30, time: at, pid: 1, hostname: 'h', ...o });

describe('pretty log lines', () => {
  it('prints time, level, message and the other fields', () => {
    const f = prettyLogFormatter({ timeZone: 'UTC' });
    expect(f(line({ msg: 'Server listening at http://127.0.0.1:8787' }))).toBe(
      '14:05:02 INFO  Server listening at http://127.0.0.1:8787',
    );
    expect(f(line({ level: 40, msg: 'slow', component: 'jobs', job: 'sweep outbox' }))).toBe(
      '14:05:02 WARN  slow  component=jobs  job="sweep outbox"',
    );
  });

  it('turns a request into one line: method, URL, status, duration', () => {
    const f = prettyLogFormatter({ timeZone: 'UTC' });
    expect(
      f(line({ reqId: 'r1', req: { method: 'GET', url: '/api/agents' }, msg: 'incoming request' })),
    ).toBeNull();
    expect(
      f(line({ reqId: 'r1', res: { statusCode: 200 }, responseTime: 12.4, msg: 'request completed' })),
    ).toBe('14:05:02 INFO  GET /api/agents 200 12 ms');
  });

  it('keeps an error’s stack and passes non-JSON through', () => {
    const f = prettyLogFormatter({ timeZone: 'UTC' });
    const out = f(
      line({ level: 50, msg: 'job failed', err: { message: 'boom', stack: 'Error: boom\n    at x' } }),
    );
    expect(out).toBe('14:05:02 ERROR job failed\n  Error: boom\n    at x');
    expect(f('not json')).toBe('not json');
  });

  it('streams whole lines, however pino splits its writes', async () => {
    const written: string[] = [];
    const out = { write: (s: string) => written.push(s) } as unknown as NodeJS.WritableStream;
    const stream = prettyLogStream(out, { timeZone: 'UTC' });
    const text = `${line({ msg: 'one' })}\n${line({ msg: 'two' })}\n`;
    await new Promise<void>((r) => stream.write(text.slice(0, 20), () => r()));
    expect(written).toEqual([]);
    await new Promise<void>((r) => stream.write(text.slice(20), () => r()));
    expect(written).toEqual(['14:05:02 INFO  one\n', '14:05:02 INFO  two\n']);
  });

  it('is pretty on a terminal unless LOG_FORMAT says otherwise', () => {
    expect(wantsPrettyLogs({}, true)).toBe(true);
    expect(wantsPrettyLogs({}, false)).toBe(false);
    expect(wantsPrettyLogs({ LOG_FORMAT: 'json' }, true)).toBe(false);
    expect(wantsPrettyLogs({ LOG_FORMAT: 'pretty' }, false)).toBe(true);
  });
});
