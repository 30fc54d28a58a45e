// Vapi settings from the environment. Without TWELVE_VAPI_SECRET the voice channel is off (no routes): a server URL
// that anyone could call would let strangers run an agent's tools.
export interface VoiceConfig {
  /** Vapi sends it as `X-Vapi-Secret: <secret>` or `Authorization: Bearer <secret>` (PROTOCOLS §1.2). */
  secret: string | null;
  /** Optional: Vapi's HMAC credential (x-signature over `{timestamp}.{body}`, SHA-256, hex; PROTOCOLS §1.2). */
  hmacSecret: string | null;
  /** Where Vapi reaches this server (the assistant's server URL and custom LLM URL); else the request's host. */
  publicUrl: string | null;
}

export function voiceConfigFromEnv(env: NodeJS.ProcessEnv = process.env): VoiceConfig {
  const value = (name: string) => {
    const v = env[name]?.trim();
    return v ? v : null;
  };
  return {
    secret: value('TWELVE_VAPI_SECRET'),
    hmacSecret: value('TWELVE_VAPI_HMAC_SECRET'),
    publicUrl: value('TWELVE_PUBLIC_URL')?.replace(/\/+$/, '') ?? null,
  };
}
