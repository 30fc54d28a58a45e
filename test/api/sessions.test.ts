// Browser sessions: login sets an httpOnly SameSite=Lax cookie, unsafe methods need the CSRF header, logout ends
// the session, wrong passwords are 401 and throttled per email and address (more in login-throttle.test.ts), and
// the setup link works once and only while there are no users.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupLinkCreator, userCreator } from '../../src/accounts/users.ts';
import { type Api, buildApi, clientFor, emailOf, loginAs, PASSWORDS } from '../support/api.ts';

let api: Api;
beforeAll(async () => {
  api = await buildApi();
});
afterAll(() => api.close());

describe('cookie sessions', () => {
  it('sets an httpOnly SameSite=Lax cookie and hands back the CSRF token', async () => {
    const s = await api.login('reviewer');
    expect(s.setCookie).toMatch(/^twelve_session=/);
    expect(s.setCookie).toMatch(/HttpOnly/i);
    expect(s.setCookie).toMatch(/SameSite=Lax/i);
    expect(s.csrfToken.length).toBeGreaterThan(20);
    const me = await s.client.get('/api/auth/me');
    expect(me.json()).toMatchObject({
      role: 'reviewer',
      csrfToken: s.csrfToken,
      user: { email: 'reviewer@example.com' },
    });
  });

  it('refuses an unsafe method without the CSRF header, or with a wrong one, and accepts the right one', async () => {
    const s = await api.login('admin');
    const body = { name: 'csrf-test', role: 'viewer' };
    const missing = await s.clientWithoutCsrf.post('/api/tokens', body);
    expect(missing.statusCode).toBe(403);
    expect(missing.json().error.id).toBe('csrf_failed');
    const wrong = await s.clientWithoutCsrf.post('/api/tokens', body, { 'x-csrf-token': 'guess' });
    expect(wrong.json().error.id).toBe('csrf_failed');
    // Another session's token is no good either: tokens are per session.
    const other = await api.login('admin');
    const crossed = await s.clientWithoutCsrf.post('/api/tokens', body, { 'x-csrf-token': other.csrfToken });
    expect(crossed.json().error.id).toBe('csrf_failed');
    const ok = await s.client.post('/api/tokens', body);
    expect(ok.statusCode).toBe(201);
    // Safe methods need no header.
    expect((await s.clientWithoutCsrf.get('/api/tokens')).statusCode).toBe(200);
  });

  it('checks the role of a session like a token', async () => {
    const s = await api.login('viewer');
    const res = await s.client.post('/api/tokens', { name: 'x', role: 'viewer' });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.id).toBe('forbidden');
  });

  it('ends the session on logout, and logout itself needs the CSRF header', async () => {
    const s = await api.login('viewer');
    const forged = await s.clientWithoutCsrf.post('/api/auth/logout');
    expect(forged.json().error.id).toBe('csrf_failed');
    expect((await s.client.get('/api/auth/me')).statusCode).toBe(200);
    const out = await s.client.post('/api/auth/logout');
    expect(out.statusCode).toBe(200);
    expect(String(out.headers['set-cookie'])).toMatch(/twelve_session=;/);
    const after = await s.client.get('/api/auth/me');
    expect(after.statusCode).toBe(401);
    expect(after.json().error.id).toBe('unauthorized');
  });

  it('answers a wrong password or an unknown email with the same 401', async () => {
    const wrong = await api.anon.post('/api/auth/login', {
      email: emailOf('admin'),
      password: 'not-the-password',
    });
    const unknown = await api.anon.post('/api/auth/login', {
      email: 'nobody@example.com',
      password: 'whatever-it-is',
    });
    for (const res of [wrong, unknown]) {
      expect(res.statusCode).toBe(401);
      expect(res.json().error).toMatchObject({ id: 'unauthorized', message: 'wrong email or password' });
      expect(res.headers['set-cookie']).toBeUndefined();
    }
  });

  it('throttles an email at an address after 4 failures, even with the right password', async () => {
    const email = emailOf('reviewer');
    for (let i = 0; i < 4; i++) {
      const res = await api.anon.post('/api/auth/login', { email, password: `wrong-${i}-password` });
      expect(res.statusCode).toBe(401);
    }
    const limited = await api.anon.post('/api/auth/login', { email, password: PASSWORDS.reviewer });
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error.id).toBe('rate_limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // The limit is per email: another person still signs in.
    expect((await api.login('viewer')).csrfToken).toBeTruthy();
  });

  it('never accepts a bearer token that was revoked', async () => {
    const s = await api.login('admin');
    const created = (await s.client.post('/api/tokens', { name: 'short-lived', role: 'admin' })).json();
    const bearer = clientFor(api.server, { authorization: `Bearer ${created.token}` });
    expect((await bearer.get('/api/users')).statusCode).toBe(200);
    expect((await s.client.delete(`/api/tokens/${created.info.id}`)).statusCode).toBe(200);
    const after = await bearer.get('/api/users');
    expect(after.statusCode).toBe(401);
  });
});

describe('first-run setup', () => {
  let fresh: Api;
  beforeAll(async () => {
    fresh = await buildApi({ users: false });
  });
  afterAll(() => fresh.close());

  const input = { email: 'first@example.com', name: 'First', password: 'a-strong-first-password' };
  let spare = '';

  it('refuses a weak password for the first admin, saying why, and leaves the link unused', async () => {
    const token = (await setupLinkCreator(fresh.app))!;
    for (const [password, why] of [
      ['            ', 'it is only spaces'],
      ['aaaaaaaaaaaa', 'it repeats one character'],
      ['password1234', 'it is a commonly used password with small changes'],
    ] as const) {
      const res = await fresh.anon.post('/api/setup', { ...input, password, token });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.details).toEqual([
        { path: 'body.password', message: `choose a stronger password: ${why}` },
      ]);
    }
    expect((await fresh.anon.get('/api/setup')).json()).toEqual({ needed: true });
  });

  it('refuses a link it never issued', async () => {
    expect((await fresh.anon.get('/api/setup')).json()).toEqual({ needed: true });
    spare = (await setupLinkCreator(fresh.app))!;
    const bad = await fresh.anon.post('/api/setup', { ...input, token: 'x'.repeat(40) });
    expect(bad.statusCode).toBe(403);
    expect(bad.json().error.id).toBe('forbidden');
  });

  it('creates the first admin with the link, signed in, and only once', async () => {
    const token = (await setupLinkCreator(fresh.app))!;
    const made = await fresh.anon.post('/api/setup', { ...input, token });
    expect(made.statusCode, made.body).toBe(201);
    expect(made.json().user).toMatchObject({ email: 'first@example.com', role: 'admin' });
    expect(String(made.headers['set-cookie'])).toMatch(/twelve_session=.*HttpOnly/i);
    const again = await fresh.anon.post('/api/setup', { ...input, email: 'second@example.com', token });
    expect(again.statusCode).toBe(403);
    expect((await loginAs(fresh.server, input.email, input.password)).csrfToken).toBeTruthy();
  });

  it('refuses even an unused link once anyone exists, and issues no more links', async () => {
    await userCreator(fresh.app, 'test', {
      email: 'other@example.com',
      role: 'viewer',
      password: input.password,
    });
    const late = await fresh.anon.post('/api/setup', { ...input, email: 'third@example.com', token: spare });
    expect(late.statusCode).toBe(409);
    expect(late.json().error.id).toBe('conflict');
    expect(await setupLinkCreator(fresh.app)).toBeNull();
    expect((await fresh.anon.get('/api/setup')).json()).toEqual({ needed: false });
  });
});
