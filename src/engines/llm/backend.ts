// The configured LLM provider of an install: its client and the prices its calls are charged at, built on first use.
// Every kind's LLM brain and LLM-backed helper (phrasing suggestions) takes one; spend.ts charges its calls.
import { createLlmClient, type LlmClient, LlmError } from './provider.ts';
import { type LlmSettings, llmSettingsFromEnv, type ModelPrice } from './settings.ts';

/** A configured provider: the client and the prices its calls are charged at. */
export interface LlmBackend {
  client: LlmClient;
  prices: Record<string, ModelPrice>;
}

/**
 * The configured provider's client and prices, built on first use and kept: from `settings` (null: none configured),
 * or else from TWELVE_LLM_* in `env` (default process.env). Throws an LlmError of kind 'config' while none is
 * configured, or when the settings are wrong, so callers can say why.
 */
export function lazyLlmBackend(options: {
  settings?: LlmSettings | null;
  env?: NodeJS.ProcessEnv;
}): () => LlmBackend {
  let backend: LlmBackend | undefined;
  return () => {
    if (backend) return backend;
    let settings = options.settings;
    if (settings === undefined) {
      const parsed = llmSettingsFromEnv(options.env ?? process.env);
      if (!parsed.ok) throw new LlmError(parsed.problems.join('; '), 'config');
      settings = parsed.settings;
    }
    if (!settings) throw new LlmError('no LLM provider is configured (set TWELVE_LLM_PROVIDER)', 'config');
    backend = { client: createLlmClient(settings), prices: settings.prices };
    return backend;
  };
}
