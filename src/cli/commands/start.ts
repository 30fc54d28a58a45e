// `twelve start`: opens the database (PGlite in the data folder unless DATABASE_URL is set), migrates, serves, runs
// the background jobs, and shuts down gracefully on SIGINT/SIGTERM.
import { parseArgs } from 'node:util';
import { countUsers, setupLinkCreator } from '../../accounts/users.ts';
import { channelSettingsFromEnv } from '../../channels/start.ts';
import { ConfigError, loadConfig } from '../../config.ts';
import { startTwelve, stopOnSignals } from '../../server/lifecycle.ts';
import { prettyLogStream, wantsPrettyLogs } from '../../server/pretty-log.ts';
import { collectAfterStart } from '../../server/settle.ts';
import type { CliCommand } from '../command.ts';

export const startCommand: CliCommand = {
  path: ['start'],
  summary: 'Start Twelve (API, webhooks, dashboard, jobs) on one port',
  usage: [
    'twelve start [--port N] [--host H]',
    '',
    '  --port N  the port to listen on (default PORT, else 8787)',
    '  --host H  the address to listen on (default HOST, else 127.0.0.1; 0.0.0.0 for every interface)',
    '',
    'Environment: PORT (8787), HOST (127.0.0.1), TWELVE_DATA_DIR (./.twelve), DATABASE_URL, LOG_LEVEL',
    'Logs are readable lines on a terminal and JSON otherwise (LOG_FORMAT=json|pretty to choose).',
    '',
    'Example:',
    '  twelve start --port 8080',
  ].join('\n'),
  async run(argv, io) {
    const { values } = parseArgs({
      args: argv,
      options: { port: { type: 'string' }, host: { type: 'string' } },
      strict: true,
    });
    let config: ReturnType<typeof loadConfig>;
    try {
      config = loadConfig({
        ...io.env,
        ...(values.port ? { PORT: values.port } : {}),
        ...(values.host ? { HOST: values.host } : {}),
      });
      // Channel settings are checked here too, so a half-configured channel exits with the same readable list.
      channelSettingsFromEnv(io.env);
    } catch (err) {
      if (err instanceof ConfigError) {
        io.err(err.message);
        return 78; // EX_CONFIG
      }
      throw err;
    }
    // Start-up and shutdown (database, event bus, jobs, draining) live in server/lifecycle.ts.
    const pretty = wantsPrettyLogs(io.env, Boolean(process.stdout.isTTY));
    const twelve = await startTwelve(config, {
      env: io.env,
      ...(pretty ? { logStream: prettyLogStream(process.stdout, { color: true }) } : {}),
    });
    const { app, address } = twelve;
    // Start-up's garbage goes once the node has settled, not a minute or more later (settle.ts).
    const stopSettle = collectAfterStart(SETTLE_MS);
    io.out(
      `Twelve is running at ${address} (database: ${config.databaseUrl ? 'PostgreSQL server' : `PGlite in ${config.dataDir}`})`,
    );
    // A fresh install has nobody who can sign in: hand out a one-time link instead of a default password.
    const setupToken = await setupLinkCreator(app);
    let stopReminder = () => {};
    if (setupToken) {
      const base = (config.publicUrl ?? address).replace(/\/+$/, '');
      const line = `First run: open ${base}/setup#${setupToken} to create the first admin (or run: npx twelve user create --admin EMAIL)`;
      io.out(line);
      // Log lines scroll the link away: it is said again every minute until someone has used it.
      stopReminder = setupReminder({
        everyMs: SETUP_REMINDER_MS,
        stillNeeded: async () => (await countUsers(app.db)) === 0,
        print: io.out,
        line,
      });
    }
    await stopOnSignals(twelve, (signal) => {
      stopReminder();
      stopSettle();
      io.out(`${signal} received: finishing in-flight work and shutting down`);
    });
    io.out('Twelve stopped');
    return 0;
  },
};

export const SETUP_REMINDER_MS = 60_000;
/** When after start the node collects start-up's garbage (settle.ts: at 5 s its background work still ran). */
const SETTLE_MS = [15_000, 45_000];

/**
 * Repeats the setup link every `everyMs` while nobody has signed up with it; once someone has, says so once and
 * stops. Returns a stop function. The timer never keeps the process alive.
 */
export function setupReminder(options: {
  everyMs: number;
  stillNeeded: () => Promise<boolean>;
  print: (line: string) => void;
  line: string;
}): () => void {
  let stopped = false;
  const timer = setInterval(() => {
    void options.stillNeeded().then(
      (needed) => {
        if (stopped) return;
        if (needed) options.print(options.line);
        else {
          options.print('First run: the first admin is set up; the setup link is used.');
          stop();
        }
      },
      () => {},
    );
  }, options.everyMs);
  timer.unref();
  const stop = () => {
    stopped = true;
    clearInterval(timer);
  };
  return stop;
}
