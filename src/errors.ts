// The one error catalog: every error a caller can see has a stable id and an HTTP status. Routes, the CLI and
// the dashboard map ids back to meaning; anything not in here becomes `internal_error` and leaks nothing.
export const ERRORS = {
  validation_failed: { status: 400, message: 'The input is not valid.' },
  invalid_json: { status: 400, message: 'The body is not valid JSON.' },
  unauthorized: { status: 401, message: 'Sign in or send a valid API token.' },
  forbidden: { status: 403, message: 'Your role does not allow this.' },
  csrf_failed: { status: 403, message: 'The CSRF token is missing or wrong.' },
  not_found: { status: 404, message: 'Not found.' },
  conflict: { status: 409, message: 'The request conflicts with the current state.' },
  already_decided: { status: 409, message: 'This approval has already been decided.' },
  invalid_state: { status: 409, message: 'This action is not possible in the current state.' },
  slot_taken: { status: 409, message: 'That time was just booked; here are the next free times.' },
  slot_unavailable: { status: 422, message: 'That time cannot be booked; here are times that can.' },
  payload_too_large: { status: 413, message: 'The body is too large.' },
  unsupported_media_type: { status: 415, message: 'This content type is not accepted.' },
  file_unreadable: { status: 422, message: 'The file could not be read.' },
  rate_limited: { status: 429, message: 'Too many requests; slow down.' },
  agent_paused: { status: 409, message: 'The agent is paused.' },
  spend_cap_reached: { status: 409, message: "The agent's daily spend cap is reached." },
  llm_not_configured: { status: 409, message: 'No LLM provider is configured (set TWELVE_LLM_PROVIDER).' },
  llm_unavailable: { status: 502, message: 'The LLM provider did not answer.' },
  llm_bad_output: { status: 502, message: 'The LLM answered in an unexpected shape.' },
  internal_error: { status: 500, message: 'Something went wrong on our side.' },
  signature_invalid: { status: 401, message: 'The webhook signature is missing or wrong.' },
  verify_token_invalid: { status: 403, message: 'The webhook verification token is missing or wrong.' },
  webhook_unauthorized: { status: 401, message: 'The webhook secret or signature is missing or wrong.' },
  mcp_definition_changed: {
    status: 409,
    message: 'The tool definition changed since it was shown; review the new one.',
  },
  file_type_unsupported: { status: 415, message: 'Send the file as a PDF or a Word (DOCX) document.' },
  file_too_large: { status: 413, message: 'The file is too large.' },
  consent_required: { status: 400, message: 'Consent to processing is required to apply.' },
  job_not_open: { status: 409, message: 'This job is not open for applications.' },
  invitation_invalid: { status: 404, message: 'This invitation link is not valid.' },
  invitation_expired: { status: 410, message: 'This invitation has expired; ask the company for a new one.' },
  screen_not_set_up: { status: 409, message: 'Set up the phone screen line (time zone and hours) first.' },
  no_knowledge_base: { status: 409, message: "This agent's kind has no knowledge base." },
  invite_invalid: { status: 410, message: 'This invitation link is invalid, used, revoked or expired.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorId = keyof typeof ERRORS;

export class AppError extends Error {
  override name = 'AppError';
  readonly id: ErrorId;
  readonly status: number;
  readonly details: unknown;

  constructor(id: ErrorId, message?: string, details?: unknown) {
    super(message ?? ERRORS[id].message);
    this.id = id;
    this.status = ERRORS[id].status;
    this.details = details;
  }
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}
