// `twelve start`: opens the database (PGlite in the data folder unless DATABASE_URL is set), migrates, serves.
import { parseArgs } from 'node:util';
import { createApp } from '../../app.ts';
import { ConfigError, loadConfig } from '../../config.ts';
import { buildServer } from '../../server/server.ts';
import { openDatabase } from '../../store/open.ts';
import type { CliCommand } from '../command.ts';

export const startCommand: CliCommand = {
  path: ['start'],
  summary: 'Start Twelve (API, webhooks, dashboard, jobs) on one port',
  usage:
    'twelve start [--port N] [--host H]\n\nEnvironment: PORT (8787), HOST (127.0.0.1), TWELVE_DATA_DIR (./.twelve), DATABASE_URL, LOG_LEVEL',
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
    } catch (err) {
      if (err instanceof ConfigError) {
        io.err(err.message);
        return 78; // EX_CONFIG
      }
      throw err;
    }
    const db = await openDatabase(config);
    const app = createApp(db);
    const server = await buildServer(app, { logLevel: config.logLevel });
    const address = await server.listen({ port: config.port, host: config.host });
    io.out(
      `Twelve is running at ${address} (database: ${config.databaseUrl ? 'PostgreSQL server' : `PGlite in ${config.dataDir}`})`,
    );
    await new Promise<void>((resolveStop) => {
      const stop = async (signal: string) => {
        io.out(`${signal} received: finishing in-flight work and shutting down`);
        await server.close();
        await app.close();
        resolveStop();
      };
      process.once('SIGINT', () => void stop('SIGINT'));
      process.once('SIGTERM', () => void stop('SIGTERM'));
    });
    return 0;
  },
};
