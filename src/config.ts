// Configuration from the environment, validated once at start-up. Every problem is reported together, in words a
// person can act on, and the process exits before serving anything.
import { resolve } from 'node:path';
import { z } from 'zod';
import { type LlmSettings, llmSettingsFromEnv } from './engines/llm/settings.ts';

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

type BaseConfig = z.infer<typeof ConfigSchema>;
/** `llm` is null unless TWELVE_LLM_PROVIDER is set (see engines/llm/settings.ts for the TWELVE_LLM_* variables). */
export type Config = BaseConfig & { llm: LlmSettings | null };

const ENV_NAMES: Record<keyof BaseConfig, string> = {
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
  // LLM settings report their own problems (they hold API keys, which must never be echoed back).
  const llm = llmSettingsFromEnv(env);
  const problems = [
    ...(parsed.success
      ? []
      : parsed.error.issues.map((i) => {
          const key = i.path[0] as keyof BaseConfig;
          return `${ENV_NAMES[key] ?? String(key)}: ${i.message} (got ${JSON.stringify((raw as Record<string, unknown>)[key])})`;
        })),
    ...(llm.ok ? [] : llm.problems),
  ];
  if (!parsed.success || !llm.ok) throw new ConfigError(problems);
  return { ...parsed.data, llm: llm.settings };
}
