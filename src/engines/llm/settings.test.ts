// Pins the TWELVE_LLM_* settings: optional, validated with actionable messages that never echo a key, and token cost rounding.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config.ts';
import { llmSettingsFromEnv, tokenCost } from './settings.ts';

describe('llmSettingsFromEnv', () => {
  it('is off when no provider is set', () => {
    expect(llmSettingsFromEnv({})).toEqual({ ok: true, settings: null });
    expect(llmSettingsFromEnv({ ANTHROPIC_API_KEY: 'sk-ant-x' })).toEqual({ ok: true, settings: null });
  });

  it('reads an Anthropic configuration with defaults', () => {
    expect(
      llmSettingsFromEnv({
        TWELVE_LLM_PROVIDER: 'anthropic',
        TWELVE_LLM_MODEL: 'claude-sonnet-4-5',
        ANTHROPIC_API_KEY: 'sk-ant-secret',
        TWELVE_LLM_PRICES: '{"claude-sonnet-4-5":{"input":300,"output":1500}}',
      }),
    ).toEqual({
      ok: true,
      settings: {
        provider: 'anthropic',
        model: 'claude-sonnet-4-5',
        apiKey: 'sk-ant-secret',
        timeoutMs: 20_000,
        maxRetries: 1,
        prices: { 'claude-sonnet-4-5': { input: 300, output: 1500 } },
      },
    });
  });

  it('reads an Ollama configuration (no key needed)', () => {
    const r = llmSettingsFromEnv({
      TWELVE_LLM_PROVIDER: 'openai-compatible',
      TWELVE_LLM_MODEL: 'qwen2.5:7b',
      TWELVE_LLM_BASE_URL: 'http://127.0.0.1:11434/v1',
      TWELVE_LLM_TIMEOUT_MS: '60000',
    });
    expect(r).toMatchObject({
      ok: true,
      settings: { provider: 'openai-compatible', baseURL: 'http://127.0.0.1:11434/v1', timeoutMs: 60_000 },
    });
    expect(r.ok && r.settings).not.toHaveProperty('apiKey');
  });

  it('reports every problem, naming the variable', () => {
    const r = llmSettingsFromEnv({
      TWELVE_LLM_PROVIDER: 'openai-compatible',
      TWELVE_LLM_BASE_URL: 'ftp://nope',
      TWELVE_LLM_TIMEOUT_MS: 'soon',
      TWELVE_LLM_PRICES: '{"m": {"input": -1}}',
    });
    expect(r.ok).toBe(false);
    const problems = r.ok ? [] : r.problems;
    expect(problems.map((p) => p.split(':')[0])).toEqual([
      'TWELVE_LLM_MODEL',
      'TWELVE_LLM_BASE_URL',
      'TWELVE_LLM_TIMEOUT_MS',
      'TWELVE_LLM_PRICES',
    ]);
    expect(llmSettingsFromEnv({ TWELVE_LLM_PROVIDER: 'openai' })).toMatchObject({
      ok: false,
      problems: [expect.stringMatching(/^TWELVE_LLM_PROVIDER: must be one of anthropic, openai-compatible/)],
    });
    expect(
      llmSettingsFromEnv({ TWELVE_LLM_PROVIDER: 'openai-compatible', TWELVE_LLM_MODEL: 'm' }),
    ).toMatchObject({
      ok: false,
      problems: [expect.stringMatching(/^TWELVE_LLM_BASE_URL: required for openai-compatible/)],
    });
  });

  it('requires an Anthropic key and never prints one', () => {
    expect(
      llmSettingsFromEnv({ TWELVE_LLM_PROVIDER: 'anthropic', TWELVE_LLM_MODEL: 'claude-x' }),
    ).toMatchObject({
      ok: false,
      problems: [expect.stringMatching(/^ANTHROPIC_API_KEY \(or TWELVE_LLM_API_KEY\): required/)],
    });
    let error: unknown;
    try {
      loadConfig({
        TWELVE_LLM_PROVIDER: 'anthropic',
        ANTHROPIC_API_KEY: 'sk-ant-very-secret',
        TWELVE_LLM_BASE_URL: 'not a url',
        PORT: 'x',
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const { problems, message } = error as ConfigError;
    expect(problems.map((p) => p.split(':')[0])).toEqual(['PORT', 'TWELVE_LLM_MODEL', 'TWELVE_LLM_BASE_URL']);
    expect(message).not.toContain('sk-ant-very-secret');
  });

  it('is part of the validated config', () => {
    expect(loadConfig({}).llm).toBeNull();
    expect(
      loadConfig({
        TWELVE_LLM_PROVIDER: 'openai-compatible',
        TWELVE_LLM_MODEL: 'llama3.1',
        TWELVE_LLM_BASE_URL: 'http://127.0.0.1:8080/v1',
        TWELVE_LLM_API_KEY: 'k',
      }).llm,
    ).toMatchObject({ provider: 'openai-compatible', apiKey: 'k' });
  });
});

describe('tokenCost', () => {
  const prices = { 'claude-x': { input: 300, output: 1500 } };

  it('charges listed models per million tokens, rounding up to whole cents', () => {
    expect(tokenCost(prices, 'claude-x', { inputTokens: 1834, outputTokens: 120 })).toEqual({
      cents: 1,
      exactCents: expect.closeTo(0.7302, 6),
    });
    expect(tokenCost(prices, 'claude-x', { inputTokens: 1_000_000, outputTokens: 0 })).toEqual({
      cents: 300,
      exactCents: 300,
    });
    expect(tokenCost(prices, 'claude-x', { inputTokens: 0, outputTokens: 0 }).cents).toBe(0);
  });

  it('charges 0 for models without a price (local models)', () => {
    expect(tokenCost(prices, 'qwen2.5:7b', { inputTokens: 5000, outputTokens: 500 })).toEqual({
      cents: 0,
      exactCents: 0,
    });
  });
});
