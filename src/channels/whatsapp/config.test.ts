// Pins WhatsApp settings from the environment (off/on/half-configured, secrets never echoed) and the HMAC check.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../config.ts';
import { DEFAULT_GRAPH_BASE_URL, whatsAppConfigFromEnv, whatsAppEnabled } from './config.ts';
import { signatureValid, whatsAppSignature } from './signature.ts';

const FULL = {
  TWELVE_WHATSAPP_VERIFY_TOKEN: 'verify-me-please',
  TWELVE_WHATSAPP_APP_SECRET: 'a3f5c0ffee0123456789abcdef012345',
  TWELVE_WHATSAPP_ACCESS_TOKEN: 'EAAG-secret-token',
};

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    whatsAppConfigFromEnv(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  return [];
}

describe('whatsAppConfigFromEnv', () => {
  it('is off without variables, with the default Graph version', () => {
    const c = whatsAppConfigFromEnv({});
    expect(c).toEqual({
      verifyToken: null,
      appSecret: null,
      accessToken: null,
      graphBaseUrl: DEFAULT_GRAPH_BASE_URL,
      template: null,
    });
    expect(DEFAULT_GRAPH_BASE_URL).toBe('https://graph.facebook.com/v25.0');
    expect(whatsAppEnabled(c)).toBe(false);
  });

  it('is on with all three secrets, and reads the base URL and template', () => {
    const c = whatsAppConfigFromEnv({
      ...FULL,
      TWELVE_GRAPH_BASE_URL: 'http://127.0.0.1:9999/v25.0/',
      TWELVE_WHATSAPP_TEMPLATE: 'support_followup:en_US',
    });
    expect(whatsAppEnabled(c)).toBe(true);
    expect(c.graphBaseUrl).toBe('http://127.0.0.1:9999/v25.0');
    expect(c.template).toEqual({ name: 'support_followup', language: 'en_US' });
  });

  it('refuses a half-configured channel and bad values, all at once, without echoing secrets', () => {
    const problems = problemsOf({
      TWELVE_WHATSAPP_APP_SECRET: 'short',
      TWELVE_WHATSAPP_ACCESS_TOKEN: 'EAAG-secret-token',
      TWELVE_GRAPH_BASE_URL: 'ftp://example.com',
      TWELVE_WHATSAPP_TEMPLATE: 'Support Followup',
    });
    expect(problems.join('\n')).toMatch(/TWELVE_WHATSAPP_APP_SECRET: must be at least 8/);
    expect(problems.join('\n')).toMatch(/TWELVE_GRAPH_BASE_URL: must be an http\(s\) URL/);
    expect(problems.join('\n')).toMatch(/TWELVE_WHATSAPP_TEMPLATE: must be <template name>:<language code>/);
    expect(problems.join('\n')).toMatch(/half-configured: set TWELVE_WHATSAPP_VERIFY_TOKEN too/);
    expect(problems.join('\n')).not.toMatch(/short|EAAG/);
  });
});

describe('X-Hub-Signature-256', () => {
  const body = Buffer.from('{"object":"whatsapp_business_account","entry":[]}');
  const secret = FULL.TWELVE_WHATSAPP_APP_SECRET;
  // printf '%s' "$body" | openssl dgst -sha256 -hmac "$secret"
  const vector = 'sha256=0f50e4eac54560edd39ed805c123b0102fd4270d197dc253b24de72773c1f6aa';

  it('matches openssl and accepts only the exact bytes and secret', () => {
    expect(whatsAppSignature(body, secret)).toBe(vector);
    expect(signatureValid(body, vector, secret)).toBe(true);
    expect(signatureValid(body, vector.toUpperCase().replace('SHA256=', 'sha256='), secret)).toBe(true);
    expect(signatureValid(Buffer.concat([body, Buffer.from('\n')]), vector, secret)).toBe(false);
    expect(signatureValid(body, vector, `${secret}x`)).toBe(false);
  });

  it('rejects missing, repeated and malformed headers without throwing', () => {
    for (const header of [
      undefined,
      [vector, vector],
      '',
      'sha256=',
      vector.slice(0, -2),
      `${vector}00`,
      vector.slice(7),
    ]) {
      expect(signatureValid(body, header, secret)).toBe(false);
    }
  });
});
