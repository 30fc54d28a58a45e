// Configuration from the environment, validated once at start-up. Every problem is reported together, in words a
// person can act on, and the process exits before serving anything.
import { resolve } from 'node:path';
import { z } from 'zod';

const ConfigSchema = z.object({
  dataDir: z.string().min(1),
  databaseUrl: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
    .optional(),
  port: z.coerce.number().int().min(0).max(65535),
  host: z.string().min(1),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  publicUrl: z.string().url().optional(),
});

export type Config = z.infer<typeof ConfigSchema>;

const ENV_NAMES: Record<keyof Config, string> = {
  dataDir: 'TWELVE_DATA_DIR',
  databaseUrl: 'DATABASE_URL',
  port: 'PORT',
  host: 'HOST',
  logLevel: 'LOG_LEVEL',
  publicUrl: 'TWELVE_PUBLIC_URL',
};

export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`Twelve cannot start; fix these settings:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const raw = {
    dataDir: resolve(env.TWELVE_DATA_DIR || './.twelve'),
    databaseUrl: env.DATABASE_URL || undefined,
    port: env.PORT ?? '8787',
    host: env.HOST || '127.0.0.1',
    logLevel: env.LOG_LEVEL || 'info',
    publicUrl: env.TWELVE_PUBLIC_URL || undefined,
  };
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => {
        const key = i.path[0] as keyof Config;
        return `${ENV_NAMES[key] ?? String(key)}: ${i.message} (got ${JSON.stringify((raw as Record<string, unknown>)[key])})`;
      }),
    );
  }
  return parsed.data;
}
