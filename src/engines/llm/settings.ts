// LLM provider settings from the environment. All optional: with no TWELVE_LLM_PROVIDER, Twelve runs on the local
// engine only. Problems come back as sentences naming the variable, and secrets are never echoed in them.
import { z } from 'zod';

export const LLM_PROVIDERS = ['anthropic', 'openai-compatible'] as const;
export type LlmProvider = (typeof LLM_PROVIDERS)[number];

/** US cents per million tokens, the unit providers publish prices in ($3/MTok = 300). */
export interface ModelPrice {
  input: number;
  output: number;
}

export interface LlmSettings {
  provider: LlmProvider;
  model: string;
  /** Anthropic: sent as x-api-key. OpenAI-compatible: sent as `Authorization: Bearer`; Ollama ignores it. */
  apiKey?: string;
  /** Anthropic: overrides https://api.anthropic.com/v1. OpenAI-compatible: required (e.g. http://127.0.0.1:11434/v1). */
  baseURL?: string;
  /** Per call, retries included: a support reply that takes longer goes to a person instead. */
  timeoutMs: number;
  /** Retries on 429/5xx/529 (the AI SDK backs off exponentially from 2 s); each one adds latency. */
  maxRetries: number;
  /** Per-model prices; a model not listed (a local Ollama model, say) costs 0. */
  prices: Record<string, ModelPrice>;
}

export const DEFAULT_LLM_TIMEOUT_MS = 20_000;
export const DEFAULT_LLM_MAX_RETRIES = 1;

const PriceSchema = z.object({ input: z.number().min(0), output: z.number().min(0) }).strict();
const PricesSchema = z.record(z.string().min(1), PriceSchema);
const HttpUrl = z
  .string()
  .url()
  .refine((u) => /^https?:\/\//.test(u), 'must be an http:// or https:// URL');

export type LlmSettingsResult =
  | { ok: true; settings: LlmSettings | null }
  | { ok: false; problems: string[] };

/** Reads the LLM settings; `settings: null` when no provider is configured (the default). */
export function llmSettingsFromEnv(env: NodeJS.ProcessEnv): LlmSettingsResult {
  const problems: string[] = [];
  const provider = env.TWELVE_LLM_PROVIDER?.trim() || undefined;
  if (!provider) return { ok: true, settings: null };
  if (!(LLM_PROVIDERS as readonly string[]).includes(provider)) {
    return {
      ok: false,
      problems: [
        `TWELVE_LLM_PROVIDER: must be one of ${LLM_PROVIDERS.join(', ')} (got ${JSON.stringify(provider)})`,
      ],
    };
  }
  const model = env.TWELVE_LLM_MODEL?.trim();
  if (!model)
    problems.push(
      'TWELVE_LLM_MODEL: required when TWELVE_LLM_PROVIDER is set (e.g. claude-sonnet-4-5, qwen2.5:7b)',
    );

  const baseURL = env.TWELVE_LLM_BASE_URL?.trim() || undefined;
  if (baseURL !== undefined) {
    const r = HttpUrl.safeParse(baseURL);
    if (!r.success)
      problems.push(`TWELVE_LLM_BASE_URL: ${r.error.issues[0]?.message} (got ${JSON.stringify(baseURL)})`);
  } else if (provider === 'openai-compatible') {
    problems.push(
      'TWELVE_LLM_BASE_URL: required for openai-compatible (e.g. http://127.0.0.1:11434/v1 for Ollama)',
    );
  }

  const apiKey =
    env.TWELVE_LLM_API_KEY?.trim() ||
    (provider === 'anthropic' ? env.ANTHROPIC_API_KEY?.trim() : '') ||
    undefined;
  if (provider === 'anthropic' && !apiKey)
    problems.push(
      'ANTHROPIC_API_KEY (or TWELVE_LLM_API_KEY): required when TWELVE_LLM_PROVIDER is anthropic',
    );

  const timeoutMs = intSetting(
    env,
    'TWELVE_LLM_TIMEOUT_MS',
    DEFAULT_LLM_TIMEOUT_MS,
    1_000,
    300_000,
    problems,
  );
  const maxRetries = intSetting(env, 'TWELVE_LLM_MAX_RETRIES', DEFAULT_LLM_MAX_RETRIES, 0, 5, problems);

  let prices: Record<string, ModelPrice> = {};
  const rawPrices = env.TWELVE_LLM_PRICES?.trim();
  if (rawPrices) {
    let json: unknown;
    try {
      json = JSON.parse(rawPrices);
    } catch {
      json = undefined;
    }
    const r = PricesSchema.safeParse(json);
    if (r.success) prices = r.data;
    else
      problems.push(
        'TWELVE_LLM_PRICES: must be JSON like {"claude-sonnet-4-5":{"input":300,"output":1500}} (US cents per million tokens)',
      );
  }

  if (problems.length) return { ok: false, problems };
  return {
    ok: true,
    settings: {
      provider: provider as LlmProvider,
      model: model!,
      ...(apiKey ? { apiKey } : {}),
      ...(baseURL ? { baseURL } : {}),
      timeoutMs,
      maxRetries,
      prices,
    },
  };
}

function intSetting(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  min: number,
  max: number,
  problems: string[],
): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    problems.push(`${name}: must be a whole number from ${min} to ${max} (got ${JSON.stringify(raw)})`);
    return fallback;
  }
  return n;
}

/**
 * What a call cost. `exactCents` is kept for reporting; `cents` (what the spend ledger stores, an integer) is
 * rounded up, so many small calls can never add up to less than was really spent against a spend cap.
 */
export function tokenCost(
  prices: Record<string, ModelPrice>,
  model: string,
  usage: { inputTokens: number; outputTokens: number },
): { cents: number; exactCents: number } {
  const price = prices[model];
  if (!price) return { cents: 0, exactCents: 0 };
  const exactCents = (usage.inputTokens * price.input + usage.outputTokens * price.output) / 1_000_000;
  return { cents: Math.max(0, Math.ceil(exactCents - 1e-9)), exactCents };
}
