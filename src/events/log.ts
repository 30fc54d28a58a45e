// The small logging surface the background parts (event bus, jobs, lifecycle) need. Fastify's pino logger fits it,
// so in a running node they log through the server's logger; tests pass nothing and stay quiet.
export interface Log {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

const ignore = () => {};
export const silentLog: Log = { debug: ignore, info: ignore, warn: ignore, error: ignore };
