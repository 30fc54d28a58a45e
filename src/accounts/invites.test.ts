// Invitations over the API: an admin's link (shown once) lets a person sign up with the invited role and signs them
// in; the link works once, not after revoking or expiry, only for the invited email when one was given; a weak
// password leaves it usable; only admins invite; the roles endpoint is the permission table itself.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, buildApi, clientFor } from '../../test/support/api.ts';
import { ManualClock } from '../clock.ts';
import { PERMISSIONS } from '../server/permissions.ts';

let api: Api;
const clock = new ManualClock(new Date('2026-12-01T09:00:00Z'));
beforeAll(async () => {
  api = await buildApi({ clock });
});
afterAll(() => api.close());

const tokenOf = (path: string) => path.replace(/^\/invite#/, '');

describe('invitations', () => {
  it('makes a one-time link; the invitee signs up with its role, is signed in, and the link is spent', async () => {
    const res = await api.as('admin').post('/api/invites', { role: 'reviewer' });
    expect(res.statusCode).toBe(201);
    const { invite, token, path } = res.json();
    expect(path).toBe(`/invite#${token}`);
    expect(invite).toMatchObject({ role: 'reviewer', email: null });
    const listed = (await api.as('admin').get('/api/invites')).json().invites;
    expect(listed.map((i: { id: string }) => i.id)).toContain(invite.id);
    expect(JSON.stringify(listed)).not.toContain(token);

    const lookup = await api.anon.post('/api/invites/lookup', { token: tokenOf(path) });
    expect(lookup.json()).toMatchObject({ role: 'reviewer', email: null });

    const accept = await api.anon.post('/api/invites/accept', {
      token,
      email: 'Sam@Northwind.example',
      name: 'Sam Rivera',
      password: 'a sturdy passphrase for sam',
    });
    expect(accept.statusCode).toBe(201);
    expect(accept.json().user).toMatchObject({
      email: 'sam@northwind.example',
      name: 'Sam Rivera',
      role: 'reviewer',
    });
    const cookie = String(accept.headers['set-cookie']).split(';')[0]!;
    const me = await clientFor(api.server, { cookie }).get('/api/auth/me');
    expect(me.json()).toMatchObject({ role: 'reviewer', actor: 'user:sam@northwind.example' });

    const again = await api.anon.post('/api/invites/accept', {
      token,
      email: 'other@northwind.example',
      name: 'Other',
      password: 'another sturdy passphrase',
    });
    expect(again.statusCode).toBe(410);
    expect(again.json().error.id).toBe('invite_invalid');
    expect(
      (await api.as('admin').get('/api/invites')).json().invites.map((i: { id: string }) => i.id),
    ).not.toContain(invite.id);
  });

  it('keeps the link usable after a refused sign-up, and holds the invitee to the invited email', async () => {
    const { token } = (
      await api.as('admin').post('/api/invites', { role: 'viewer', email: 'kim@northwind.example' })
    ).json();
    const weak = await api.anon.post('/api/invites/accept', {
      token,
      email: 'kim@northwind.example',
      name: 'Kim',
      password: 'password',
    });
    expect(weak.statusCode).toBe(400);
    expect(weak.json().error.id).toBe('validation_failed');
    const elsewhere = await api.anon.post('/api/invites/accept', {
      token,
      email: 'kim@gmail.example',
      name: 'Kim',
      password: 'kim picks a sturdy passphrase',
    });
    expect(elsewhere.statusCode).toBe(400);
    expect(elsewhere.json().error.details).toEqual([
      { path: 'body.email', message: 'this invitation is for kim@northwind.example' },
    ]);
    const ok = await api.anon.post('/api/invites/accept', {
      token,
      email: 'kim@northwind.example',
      name: 'Kim',
      password: 'kim picks a sturdy passphrase',
    });
    expect(ok.statusCode).toBe(201);
    expect(ok.json().user.role).toBe('viewer');
  });

  it('refuses a revoked or expired link, and inviting an email that already has a user', async () => {
    const revoked = (await api.as('admin').post('/api/invites', { role: 'viewer' })).json();
    expect((await api.as('admin').delete(`/api/invites/${revoked.invite.id}`)).statusCode).toBe(200);
    expect((await api.as('admin').delete(`/api/invites/${revoked.invite.id}`)).statusCode).toBe(404);
    const gone = await api.anon.post('/api/invites/lookup', { token: revoked.token });
    expect(gone.statusCode).toBe(410);

    const expiring = (await api.as('admin').post('/api/invites', { role: 'viewer', days: 1 })).json();
    clock.advance(24 * 3600_000 + 1000);
    const late = await api.anon.post('/api/invites/accept', {
      token: expiring.token,
      email: 'late@northwind.example',
      name: 'Late',
      password: 'a sturdy passphrase, too late',
    });
    expect(late.statusCode).toBe(410);

    const dup = await api.as('admin').post('/api/invites', { role: 'viewer', email: 'viewer@example.com' });
    expect(dup.statusCode).toBe(409);
  });

  it('lets only admins invite, and refuses a made-up token', async () => {
    expect((await api.as('reviewer').post('/api/invites', { role: 'viewer' })).statusCode).toBe(403);
    const made = await api.anon.post('/api/invites/lookup', { token: 'x'.repeat(43) });
    expect(made.statusCode).toBe(410);
  });

  it('names the team for every role, without anything but email and name', async () => {
    const res = await api.as('viewer').get('/api/people');
    const people = res.json().people as { email: string; name: string }[];
    expect(people).toContainEqual({ email: 'sam@northwind.example', name: 'Sam Rivera' });
    expect(people.every((p) => Object.keys(p).sort().join() === 'email,name')).toBe(true);
  });

  it('serves the roles from the permission table', async () => {
    const res = await api.as('viewer').get('/api/roles');
    expect(res.json().roles).toEqual(['admin', 'reviewer', 'viewer']);
    expect(res.json().permissions).toEqual(Object.entries(PERMISSIONS).map(([id, roles]) => ({ id, roles })));
  });
});
