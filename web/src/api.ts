// The one way the dashboard talks to the API: same-origin cookies, the CSRF token on every unsafe request, and
// every failure turned into an ApiError carrying the catalog id (src/errors.ts) so pages can react to it.

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly id: string,
    message: string,
    readonly details?: unknown,
    readonly requestId?: string,
  ) {
    super(message);
  }
}

let csrfToken: string | null = null;
const signedOutListeners = new Set<() => void>();

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called when a request that needed a session gets 401: the session expired or was revoked elsewhere. */
export function onSignedOut(listener: () => void): () => void {
  signedOutListeners.add(listener);
  return () => signedOutListeners.delete(listener);
}

/** Endpoints whose 401 is an expected answer, not an expired session. */
const QUIET_401 = new Set(['/api/auth/me', '/api/auth/login', '/api/setup']);

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  let payload: string | undefined;
  if (method !== 'GET') {
    // Always a JSON body on unsafe methods: Fastify rejects an empty body sent as application/json.
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body ?? {});
    if (csrfToken) headers['x-csrf-token'] = csrfToken;
  }
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body: payload, credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, 'network_error', 'Twelve cannot be reached. Check the connection and try again.');
  }
  const text = await res.text();
  if (!res.ok) throw failure(path, res.status, res.statusText, text);
  try {
    return (text ? JSON.parse(text) : null) as T;
  } catch {
    return null as T;
  }
}

/** Turns a failed response (status + JSON text) into an ApiError, signalling an expired session on 401. */
function failure(path: string, status: number, statusText: string, text: string): ApiError {
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  const err = (json as { error?: { id?: string; message?: string; details?: unknown; requestId?: string } })
    ?.error;
  if (status === 401 && !QUIET_401.has(path.split('?')[0] ?? path)) {
    for (const l of signedOutListeners) l();
  }
  return new ApiError(
    status,
    err?.id ?? `http_${status}`,
    err?.message ?? `The server answered ${status} ${statusText}.`,
    err?.details,
    err?.requestId,
  );
}

/**
 * Sends a file as the request body (not JSON), with its media type and the CSRF token, reporting upload progress
 * (0…1). XMLHttpRequest rather than fetch: fetch cannot report how much of a request body has been sent.
 */
function upload<T>(
  path: string,
  file: Blob,
  contentType: string,
  onProgress?: (fraction: number) => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    xhr.withCredentials = true;
    xhr.setRequestHeader('accept', 'application/json');
    xhr.setRequestHeader('content-type', contentType);
    if (csrfToken) xhr.setRequestHeader('x-csrf-token', csrfToken);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && e.total > 0) onProgress?.(e.loaded / e.total);
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        try {
          resolve((xhr.responseText ? JSON.parse(xhr.responseText) : null) as T);
        } catch {
          reject(new ApiError(xhr.status, 'invalid_json', 'The server answered with something unreadable.'));
        }
      } else reject(failure(path, xhr.status, xhr.statusText, xhr.responseText));
    };
    // A network failure, or a server that closed the connection on a large body before reading it.
    xhr.onerror = () =>
      reject(
        new ApiError(0, 'network_error', 'Twelve cannot be reached. Check the connection and try again.'),
      );
    xhr.send(file);
  });
}

export const api = {
  upload,
  get: <T>(path: string) => request<T>('GET', path),
  post: <T>(path: string, body?: unknown) => request<T>('POST', path, body),
  put: <T>(path: string, body?: unknown) => request<T>('PUT', path, body),
  patch: <T>(path: string, body?: unknown) => request<T>('PATCH', path, body),
  delete: <T>(path: string) => request<T>('DELETE', path),
};

/** Builds a query string from the defined, non-empty values. */
export function qs(params: Record<string, string | number | undefined | null>): string {
  const s = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== null && v !== '') s.set(k, String(v));
  const out = s.toString();
  return out ? `?${out}` : '';
}

/** Validation details (`[{path: 'body.name', message}]`) as field → message, for inline form errors. */
export function fieldErrors(err: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!(err instanceof ApiError) || !Array.isArray(err.details)) return out;
  for (const d of err.details as { path?: unknown; message?: unknown }[]) {
    if (typeof d?.path !== 'string' || typeof d.message !== 'string') continue;
    const field = d.path.replace(/^body\./, '').split('.')[0] ?? '';
    if (field && !out[field]) out[field] = d.message;
  }
  return out;
}

export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.id === 'csrf_failed') return 'Your session is out of date. Reload the page and try again.';
    if (err.status === 404 && err.id === 'not_found' && /no route/.test(err.message))
      return `This server does not offer that yet (${err.message}).`;
    return sentence(err.message);
  }
  return sentence(err instanceof Error ? err.message : String(err));
}

/** Server messages are written to be embedded ("wrong email or password"); standing alone they start a sentence. */
function sentence(text: string): string {
  const t = text.trim();
  if (!t) return t;
  return `${t.charAt(0).toUpperCase()}${t.slice(1)}${/[.!?]$/.test(t) ? '' : '.'}`;
}
