// Pins the LLM seam: what each real provider puts on the wire (checked by the local fakes), usage mapping, and one clear LlmError per failure.
import { MockLanguageModelV3 } from 'ai/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  anthropicMessageTexts,
  anthropicSystemText,
  type FakeAnthropic,
  startFakeAnthropic,
} from '../../../test/fakes/anthropic.ts';
import { chatMessageTexts, type FakeOpenAi, startFakeOpenAi } from '../../../test/fakes/openai.ts';
import { createLlmClient, type LlmClient, LlmError, type LlmRequest } from './provider.ts';
import type { LlmSettings } from './settings.ts';

let anthropicFake: FakeAnthropic;
let openaiFake: FakeOpenAi;

beforeAll(async () => {
  [anthropicFake, openaiFake] = await Promise.all([startFakeAnthropic(), startFakeOpenAi()]);
});
afterAll(async () => {
  await Promise.all([anthropicFake.close(), openaiFake.close()]);
});

const REQUEST: LlmRequest = {
  system: 'You answer from passages.',
  messages: [{ role: 'user', content: '<customer_message>\nIs delivery free?\n</customer_message>' }],
  maxTokens: 300,
};

function anthropicSettings(over: Partial<LlmSettings> = {}): LlmSettings {
  return {
    provider: 'anthropic',
    model: 'claude-test-1',
    apiKey: anthropicFake.apiKey,
    baseURL: anthropicFake.baseURL,
    timeoutMs: 5_000,
    maxRetries: 0,
    prices: {},
    ...over,
  };
}

function openaiSettings(over: Partial<LlmSettings> = {}): LlmSettings {
  return {
    provider: 'openai-compatible',
    model: 'qwen2.5:7b',
    apiKey: openaiFake.apiKey,
    baseURL: openaiFake.baseURL,
    timeoutMs: 5_000,
    maxRetries: 0,
    prices: {},
    ...over,
  };
}

async function failure(client: LlmClient, req: LlmRequest = REQUEST): Promise<LlmError> {
  const err = await client.complete(req).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(LlmError);
  return err as LlmError;
}

describe('anthropic over HTTP', () => {
  it('sends a Messages API request and maps the reply and usage', async () => {
    anthropicFake.script({ text: 'Yes, over £50.', usage: { input_tokens: 120, output_tokens: 7 } });
    const before = anthropicFake.requests.length;
    const res = await createLlmClient(anthropicSettings()).complete(REQUEST);
    expect(res).toEqual({
      text: 'Yes, over £50.',
      usage: { inputTokens: 120, outputTokens: 7 },
      finishReason: 'stop',
    });
    const [req] = anthropicFake.requests.slice(before);
    expect(req).toMatchObject({ method: 'POST', path: '/v1/messages', status: 200 });
    expect(req!.headers['x-api-key']).toBe(anthropicFake.apiKey);
    expect(req!.headers['anthropic-version']).toBe('2023-06-01');
    expect(req!.body).toMatchObject({ model: 'claude-test-1', max_tokens: 300 });
    expect(anthropicSystemText(req!.body)).toBe(REQUEST.system);
    expect(anthropicMessageTexts(req!.body, 'user')).toEqual([REQUEST.messages[0]!.content]);
    // No sampling parameters: API version 2026-10-21 rejects them (PROTOCOLS §5.1).
    for (const p of ['temperature', 'top_p', 'top_k']) expect(req!.body).not.toHaveProperty(p);
  });

  it('reports 529 overloaded, 500 and a wrong key as HTTP failures naming the provider error', async () => {
    anthropicFake.script(
      { status: 529, errorType: 'overloaded_error', message: 'Overloaded' },
      { status: 500, errorType: 'api_error', message: 'Internal server error' },
    );
    const client = createLlmClient(anthropicSettings());
    const overloaded = await failure(client);
    expect(overloaded).toMatchObject({ kind: 'http', status: 529 });
    expect(overloaded.message).toBe('anthropic returned HTTP 529: overloaded_error: Overloaded');
    expect(await failure(client)).toMatchObject({ kind: 'http', status: 500 });
    const badKey = await failure(createLlmClient(anthropicSettings({ apiKey: 'sk-ant-wrong' })));
    expect(badKey).toMatchObject({ kind: 'http', status: 401 });
    expect(badKey.message).toContain('authentication_error: invalid x-api-key');
  });

  it('retries an overloaded API once when allowed', async () => {
    anthropicFake.script(
      { status: 529, errorType: 'overloaded_error', message: 'Overloaded' },
      { text: 'ok' },
    );
    const before = anthropicFake.requests.length;
    const res = await createLlmClient(anthropicSettings({ maxRetries: 1 })).complete(REQUEST);
    expect(res.text).toBe('ok');
    expect(anthropicFake.requests.slice(before).map((r) => r.status)).toEqual([529, 200]);
  });

  it('gives up at the timeout', async () => {
    anthropicFake.script({ text: 'too late', delayMs: 3_000 });
    const started = Date.now();
    const err = await failure(createLlmClient(anthropicSettings({ timeoutMs: 300 })));
    expect(err).toMatchObject({ kind: 'timeout', message: 'anthropic did not answer within 300 ms' });
    expect(Date.now() - started).toBeLessThan(2_500);
  });

  it('reports an unreachable server as a network failure', async () => {
    const dead = await startFakeAnthropic();
    const baseURL = dead.baseURL;
    await dead.close();
    const err = await failure(createLlmClient(anthropicSettings({ baseURL })));
    expect(err.kind).toBe('network');
    expect(err.message).toMatch(/^anthropic could not be reached/);
  });
});

describe('openai-compatible over HTTP', () => {
  it('sends a chat-completions request with Bearer auth and maps the reply and usage', async () => {
    openaiFake.script({ text: 'Yes.', usage: { prompt_tokens: 80, completion_tokens: 2 } });
    const before = openaiFake.requests.length;
    const res = await createLlmClient(openaiSettings()).complete(REQUEST);
    expect(res).toEqual({ text: 'Yes.', usage: { inputTokens: 80, outputTokens: 2 }, finishReason: 'stop' });
    const [req] = openaiFake.requests.slice(before);
    expect(req).toMatchObject({ method: 'POST', path: '/v1/chat/completions', status: 200 });
    expect(req!.headers.authorization).toBe(`Bearer ${openaiFake.apiKey}`);
    expect(req!.body).toMatchObject({ model: 'qwen2.5:7b', max_tokens: 300 });
    expect(chatMessageTexts(req!.body, 'system')).toEqual([REQUEST.system]);
    expect(chatMessageTexts(req!.body, 'user')).toEqual([REQUEST.messages[0]!.content]);
  });

  it('reports server errors, a wrong key and a truncated reply', async () => {
    openaiFake.script(
      {
        status: 500,
        errorType: 'server_error',
        message: 'The server had an error while processing your request.',
      },
      { status: 503, errorType: 'server_error', message: 'Service unavailable' },
      { text: '{"answer": "Yes', finishReason: 'length' },
    );
    const client = createLlmClient(openaiSettings());
    const e500 = await failure(client);
    expect(e500).toMatchObject({ kind: 'http', status: 500 });
    expect(e500.message).toBe(
      'openai-compatible returned HTTP 500: server_error: The server had an error while processing your request.',
    );
    expect(await failure(client)).toMatchObject({ kind: 'http', status: 503 });
    expect((await client.complete(REQUEST)).finishReason).toBe('length');
    const badKey = await failure(createLlmClient(openaiSettings({ apiKey: 'sk-wrong' })));
    expect(badKey).toMatchObject({ kind: 'http', status: 401 });
    expect(badKey.message).toContain('Incorrect API key provided.');
  });

  it('rejects a malformed response body clearly', async () => {
    openaiFake.script({ status: 200, rawBody: '<html>proxy error</html>', contentType: 'text/html' });
    const err = await failure(createLlmClient(openaiSettings()));
    expect(err.message).toMatch(/^openai-compatible (call failed|returned HTTP 200)/);
  });
});

describe('with a mock model (no HTTP)', () => {
  it('passes system, messages and maxTokens to the model and treats missing usage as 0', async () => {
    const model = new MockLanguageModelV3({
      doGenerate: async () => ({
        content: [{ type: 'text', text: '{"escalate": true, "reason": "x"}' }],
        finishReason: { unified: 'stop', raw: 'stop' },
        usage: {
          inputTokens: { total: undefined, noCache: undefined, cacheRead: undefined, cacheWrite: undefined },
          outputTokens: { total: undefined, text: undefined, reasoning: undefined },
        },
        warnings: [],
      }),
    });
    const res = await createLlmClient(anthropicSettings(), model).complete(REQUEST);
    expect(res).toEqual({
      text: '{"escalate": true, "reason": "x"}',
      usage: { inputTokens: 0, outputTokens: 0 },
      finishReason: 'stop',
    });
    const call = model.doGenerateCalls[0]!;
    expect(call.maxOutputTokens).toBe(300);
    expect(call.prompt[0]).toEqual({ role: 'system', content: REQUEST.system });
    expect(call.prompt[1]).toMatchObject({ role: 'user' });
  });

  it('wraps a thrown model error', async () => {
    const model = new MockLanguageModelV3({
      doGenerate: async () => {
        throw new Error('boom');
      },
    });
    const err = await failure(createLlmClient(anthropicSettings(), model));
    expect(err).toMatchObject({ kind: 'other', message: 'anthropic call failed: boom' });
  });
});
