// The LLM provider seam. Brains ask an LlmClient for one completion (system prompt + messages → text + token
// usage); behind it the AI SDK speaks the provider's wire format: Anthropic Messages (POST {baseURL}/messages,
// x-api-key, anthropic-version) or OpenAI chat completions (POST {baseURL}/chat/completions, Bearer auth), which
// Ollama, vLLM and llama.cpp also serve. Tests swap the model for MockLanguageModelV3 or point baseURL at a fake.
// The AI SDK (ai and both providers: some 70 MB and seconds of loading) is imported on the first call, not at start:
// most installs never configure a provider, and an idle node should not hold it.
import type { LanguageModel, ModelMessage } from 'ai';
import type { LlmSettings } from './settings.ts';

export interface LlmMessage {
  role: 'user' | 'assistant';
  content: string;
  /** Files sent before the text of a user message (a PDF as an Anthropic document block); providers that cannot read them refuse. */
  files?: { data: Uint8Array; mediaType: string; filename?: string }[];
}

/** An LlmMessage as the AI SDK takes it: plain text, or file parts then the text. */
function toModelMessage(m: LlmMessage): ModelMessage {
  if (m.role === 'user' && m.files?.length)
    return {
      role: 'user',
      content: [
        ...m.files.map((f) => ({
          type: 'file' as const,
          data: f.data,
          mediaType: f.mediaType,
          ...(f.filename ? { filename: f.filename } : {}),
        })),
        { type: 'text' as const, text: m.content },
      ],
    };
  return { role: m.role, content: m.content };
}

export interface LlmRequest {
  system: string;
  messages: LlmMessage[];
  maxTokens: number;
}

export interface LlmUsage {
  inputTokens: number;
  outputTokens: number;
}

export interface LlmResponse {
  text: string;
  usage: LlmUsage;
  /** 'stop' | 'length' | … (AI SDK finish reasons): 'length' means the reply was cut at maxTokens. */
  finishReason: string;
  /** Tools the model asked to call (none are offered, so any is a model going off script); absent when none. */
  toolCalls?: string[];
}

export interface LlmClient {
  readonly provider: string;
  readonly model: string;
  complete(req: LlmRequest): Promise<LlmResponse>;
}

export type LlmErrorKind = 'timeout' | 'http' | 'network' | 'config' | 'other';

/** A provider call that did not produce a completion, in words fit for an escalation reason. */
export class LlmError extends Error {
  override name = 'LlmError';
  constructor(
    message: string,
    readonly kind: LlmErrorKind,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Builds the AI SDK model for the settings (loading the provider's SDK). */
export async function languageModelFor(settings: LlmSettings): Promise<LanguageModel> {
  if (settings.provider === 'anthropic') {
    const { createAnthropic } = await import('@ai-sdk/anthropic');
    // Pass the key and base URL explicitly: otherwise the SDK silently falls back to ANTHROPIC_API_KEY and
    // ANTHROPIC_BASE_URL from the environment (@ai-sdk/anthropic createAnthropic, loadApiKey/loadOptionalSetting).
    const anthropic = createAnthropic({
      apiKey: settings.apiKey ?? '',
      ...(settings.baseURL ? { baseURL: settings.baseURL } : {}),
    });
    return anthropic(settings.model);
  }
  if (!settings.baseURL) throw new LlmError('openai-compatible needs a base URL', 'config');
  const { createOpenAICompatible } = await import('@ai-sdk/openai-compatible');
  const openai = createOpenAICompatible({
    name: 'openai-compatible',
    baseURL: settings.baseURL,
    ...(settings.apiKey ? { apiKey: settings.apiKey } : {}),
  });
  return openai.chatModel(settings.model);
}

type AiSdk = typeof import('ai');

/**
 * An LlmClient over an AI SDK model. `model` defaults to the real provider for the settings; pass a
 * MockLanguageModelV3 (ai/test) to test without HTTP. Settings that cannot work are refused here, at once.
 */
export function createLlmClient(settings: LlmSettings, model?: LanguageModel): LlmClient {
  if (!model && settings.provider !== 'anthropic' && !settings.baseURL)
    throw new LlmError('openai-compatible needs a base URL', 'config');
  const label = settings.provider;
  let loaded: Promise<{ ai: AiSdk; model: LanguageModel }> | undefined;
  const load = () => {
    loaded ??= (async () => ({
      ai: await import('ai'),
      model: model ?? (await languageModelFor(settings)),
    }))();
    loaded.catch(() => {
      loaded = undefined; // a failed load (a broken install) is tried again by the next call
    });
    return loaded;
  };
  return {
    provider: settings.provider,
    model: settings.model,
    async complete(req) {
      let ai: AiSdk | undefined;
      try {
        const sdk = await load();
        ai = sdk.ai;
        const result = await ai.generateText({
          model: sdk.model,
          system: req.system,
          messages: req.messages.map(toModelMessage),
          maxOutputTokens: req.maxTokens,
          maxRetries: settings.maxRetries,
          // One deadline for the whole call, retries included (ai: CallSettings.timeout). No temperature/top_p:
          // Anthropic API version 2026-10-21 rejects sampling parameters with a 400 (PROTOCOLS §5.1).
          timeout: settings.timeoutMs,
        });
        return {
          text: result.text,
          usage: {
            inputTokens: result.usage.inputTokens ?? 0,
            outputTokens: result.usage.outputTokens ?? 0,
          },
          finishReason: String(result.finishReason),
          // No tools are offered: the SDK reports a call to one as an invalid tool call and never runs it.
          ...(result.toolCalls.length ? { toolCalls: result.toolCalls.map((c) => c.toolName) } : {}),
        };
      } catch (err) {
        throw describeFailure(label, settings.timeoutMs, err, ai);
      }
    },
  };
}

/** Maps AI SDK errors (APICallError, RetryError, abort) to one clear LlmError. */
export function describeFailure(provider: string, timeoutMs: number, err: unknown, ai?: AiSdk): LlmError {
  if (err instanceof LlmError) return err;
  const retry = ai?.RetryError.isInstance(err) ? (err as InstanceType<AiSdk['RetryError']>) : null;
  const last = retry ? retry.lastError : err;
  const attempts = retry ? ` after ${retry.errors.length} attempts` : '';
  if (isAbort(last) || isAbort(err)) {
    return new LlmError(`${provider} did not answer within ${timeoutMs} ms`, 'timeout', undefined, {
      cause: err,
    });
  }
  if (ai?.APICallError.isInstance(last)) {
    if (last.statusCode !== undefined) {
      const detail = providerMessage(last.responseBody) ?? last.message;
      return new LlmError(
        `${provider} returned HTTP ${last.statusCode}${attempts}: ${clip(detail)}`,
        'http',
        last.statusCode,
        { cause: err },
      );
    }
    return new LlmError(
      `${provider} could not be reached${attempts}: ${clip(last.message)}`,
      'network',
      undefined,
      {
        cause: err,
      },
    );
  }
  const message = last instanceof Error ? last.message : String(last);
  return new LlmError(`${provider} call failed${attempts}: ${clip(message)}`, 'other', undefined, {
    cause: err,
  });
}

function isAbort(e: unknown): boolean {
  return e instanceof Error && (e.name === 'AbortError' || e.name === 'TimeoutError');
}

/** Both providers wrap errors as {"error": {"message": …}} (Anthropic adds "type": "error" at the top). */
function providerMessage(body: string | undefined): string | undefined {
  if (!body) return undefined;
  try {
    const parsed: unknown = JSON.parse(body);
    if (parsed && typeof parsed === 'object' && 'error' in parsed) {
      const e = (parsed as { error: unknown }).error;
      if (e && typeof e === 'object') {
        const { type, message } = e as { type?: unknown; message?: unknown };
        if (typeof message === 'string') return typeof type === 'string' ? `${type}: ${message}` : message;
      }
    }
  } catch {
    // Not JSON (a proxy's HTML error page, say): fall back to the SDK's message.
  }
  return undefined;
}

function clip(s: string, max = 300): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}
