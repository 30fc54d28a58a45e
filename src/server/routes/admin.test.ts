// Admin routes: users and tokens are presented without secrets, a created user can sign in, duplicates conflict, a
// token's secret appears once and works, and revoking is final.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, buildApi, clientFor, loginAs } from '../../../test/support/api.ts';

let api: Api;
beforeAll(async () => {
  api = await buildApi();
});
afterAll(() => api.close());

describe('users', () => {
  it('lists users without password hashes', async () => {
    const res = await api.as('admin').get('/api/users');
    const { users } = res.json();
    expect(users.map((u: { email: string }) => u.email)).toEqual([
      'admin@example.com',
      'reviewer@example.com',
      'viewer@example.com',
    ]);
    expect(Object.keys(users[0]).sort()).toEqual(['createdAt', 'disabled', 'email', 'id', 'name', 'role']);
    expect(res.body).not.toMatch(/argon2|password/i);
  });

  it('creates a user who can then sign in; the email is normalized and unique', async () => {
    const res = await api.as('admin').post('/api/users', {
      email: '  New.Person@Example.com ',
      name: 'New Person',
      role: 'reviewer',
      password: 'correct horse battery',
    });
    expect(res.statusCode).toBe(201);
    expect(res.json().user).toMatchObject({
      email: 'new.person@example.com',
      role: 'reviewer',
      disabled: false,
    });
    expect(res.body).not.toMatch(/argon2|correct horse/);
    const session = await loginAs(api.server, 'new.person@example.com', 'correct horse battery');
    expect(session.csrfToken).toBeTruthy();
    const dup = await api.as('admin').post('/api/users', {
      email: 'new.person@example.com',
      role: 'viewer',
      password: 'another long password',
    });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error.id).toBe('conflict');
  });

  it('refuses short passwords, bad emails and unknown roles', async () => {
    for (const body of [
      { email: 'a@example.com', role: 'viewer', password: 'short' },
      { email: 'not-an-email', role: 'viewer', password: 'long enough password' },
      { email: 'b@example.com', role: 'owner', password: 'long enough password' },
    ]) {
      const res = await api.as('admin').post('/api/users', body);
      expect(res.statusCode).toBe(400);
      expect(res.json().error.id).toBe('validation_failed');
    }
  });
});

describe('password strength', () => {
  it.each([
    ['            ', 'it is only spaces'],
    ['aaaaaaaaaaaa', 'it repeats one character'],
    ['password1234', 'it is a commonly used password with small changes'],
    ['weakling@example.com', 'it contains your own details'],
  ])('refuses a user with the password %j, saying why', async (password, why) => {
    const res = await api
      .as('admin')
      .post('/api/users', { email: 'weakling@example.com', name: 'Weakling', role: 'viewer', password });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({
      id: 'validation_failed',
      details: [{ path: 'body.password', message: `choose a stronger password: ${why}` }],
    });
  });
});

describe('changing and removing users', () => {
  it('changes a role, disables (ending sessions) and removes a user, but never the last active admin', async () => {
    const admin = api.as('admin');
    const made = await admin.post('/api/users', {
      email: 'changing@example.com',
      role: 'viewer',
      password: 'Harbor-lights-Drift-77',
    });
    const id = made.json().user.id;
    const promoted = await admin.patch(`/api/users/${id}`, { role: 'admin', name: 'Changed' });
    expect(promoted.statusCode, promoted.body).toBe(200);
    expect(promoted.json().user).toMatchObject({ role: 'admin', name: 'Changed', disabled: false });
    const session = await loginAs(api.server, 'changing@example.com', 'Harbor-lights-Drift-77');
    expect((await admin.patch(`/api/users/${id}`, { disabled: true })).json().user.disabled).toBe(true);
    expect((await session.client.get('/api/auth/me')).statusCode).toBe(401);
    // The seeded admin is now the only active admin.
    const last = await admin.patch(`/api/users/${api.users.admin.id}`, { role: 'viewer' });
    expect(last.statusCode).toBe(409);
    expect(last.json().error.id).toBe('conflict');
    expect((await admin.delete(`/api/users/${api.users.admin.id}`)).json().error.id).toBe('conflict');
    expect((await admin.delete(`/api/users/${id}`)).statusCode).toBe(200);
    expect((await admin.delete(`/api/users/${id}`)).json().error.id).toBe('not_found');
    expect((await admin.patch(`/api/users/${id}`, { role: 'bogus' })).json().error.id).toBe(
      'validation_failed',
    );
  });
});

describe('tokens', () => {
  it('shows a new token once; it authenticates with its role; listings never carry it', async () => {
    const res = await api.as('admin').post('/api/tokens', { name: 'deploy-bot', role: 'reviewer' });
    expect(res.statusCode).toBe(201);
    const { token, info } = res.json();
    expect(token).toMatch(/^tw_/);
    expect(info).toMatchObject({
      name: 'deploy-bot',
      role: 'reviewer',
      createdBy: 'token:test-admin',
      revoked: false,
    });
    const bot = clientFor(api.server, { authorization: `Bearer ${token}` });
    expect((await bot.get('/api/auth/me')).json()).toMatchObject({
      actor: 'token:deploy-bot',
      role: 'reviewer',
    });
    expect((await bot.get('/api/tokens')).statusCode).toBe(403);

    const list = await api.as('admin').get('/api/tokens');
    expect(list.body).not.toContain(token);
    expect(list.body).not.toMatch(/hash/i);
    const listed = list.json().tokens.find((t: { id: string }) => t.id === info.id);
    expect(listed.lastUsedAt).not.toBeNull();
  });

  it('revokes a token for good; revoking again is 404', async () => {
    const { token, info } = (
      await api.as('admin').post('/api/tokens', { name: 'temp', role: 'viewer' })
    ).json();
    const revoked = await api.as('admin').delete(`/api/tokens/${info.id}`);
    expect(revoked.json().token).toMatchObject({ id: info.id, revoked: true });
    const bot = clientFor(api.server, { authorization: `Bearer ${token}` });
    expect((await bot.get('/api/runs')).statusCode).toBe(401);
    expect((await api.as('admin').delete(`/api/tokens/${info.id}`)).statusCode).toBe(404);
  });
});
