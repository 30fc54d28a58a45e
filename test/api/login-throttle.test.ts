// The login throttle: an attempt is counted before its password is hashed, so parallel guesses are refused like
// sequential ones; delays grow per (account, address) instead of locking the account, so a stranger's failures do
// not keep its owner out; a 429 says how long to wait (Retry-After) with the stable error id.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOGIN_RULES } from '../../src/accounts/login-throttle.ts';
import { userCreator } from '../../src/accounts/users.ts';
import { ManualClock } from '../../src/clock.ts';
import { type Api, buildApi, type Response } from '../support/api.ts';

const clock = new ManualClock();
let api: Api;
beforeAll(async () => {
  api = await buildApi({ clock });
});
afterAll(() => api.close());

let n = 0;
async function account(): Promise<{ email: string; password: string }> {
  const email = `throttled-${++n}@example.com`;
  const password = `Juniper-orbit-${n}-Whistles`;
  await userCreator(api.app, 'test', { email, role: 'viewer', password });
  return { email, password };
}

function login(email: string, password: string, ip: string): Promise<Response> {
  return api.server.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { email, password },
    remoteAddress: ip,
  });
}

function expectLimited(res: Response): number {
  expect(res.statusCode, res.body).toBe(429);
  expect(res.json().error.id).toBe('rate_limited');
  const retryAfter = Number(res.headers['retry-after']);
  expect(retryAfter).toBeGreaterThan(0);
  expect(res.json().error.details).toEqual({ retryAfterSeconds: retryAfter });
  return retryAfter;
}

describe('login throttle', () => {
  it('refuses most of 150 parallel wrong passwords for one account with 429', async () => {
    const { email } = await account();
    const responses = await Promise.all(
      Array.from({ length: 150 }, (_, i) => login(email, `wrong-password-${i}`, '192.0.2.10')),
    );
    const statuses = responses.map((r) => r.statusCode);
    expect(statuses.filter((s) => s !== 401 && s !== 429)).toEqual([]);
    // Only the pair's free failures and the one that starts the first wait get to the password check.
    expect(statuses.filter((s) => s === 401).length).toBe(LOGIN_RULES.pair.free + 1);
    for (const res of responses.filter((r) => r.statusCode === 429)) expectLimited(res);
  });

  it("does not let a stranger's wrong passwords keep the owner out from another address", async () => {
    const { email, password } = await account();
    const stranger = [];
    for (let i = 0; i < 5; i++)
      stranger.push((await login(email, `guess-${i}-password`, '198.51.100.7')).statusCode);
    expect(stranger).toEqual([401, 401, 401, 401, 429]);
    const owner = await login(email, password, '203.0.113.20');
    expect(owner.statusCode, owner.body).toBe(200);
  });

  it('makes each further failure wait longer, and a correct password after the wait gets in', async () => {
    const { email, password } = await account();
    const ip = '192.0.2.30';
    for (let i = 0; i <= LOGIN_RULES.pair.free; i++)
      expect((await login(email, `nope-${i}-password`, ip)).statusCode).toBe(401);
    const waits: number[] = [];
    for (let round = 0; round < 4; round++) {
      const wait = expectLimited(await login(email, password, ip));
      waits.push(wait);
      clock.advance(wait * 1000);
      expect((await login(email, `nope-again-${round}`, ip)).statusCode).toBe(401);
    }
    expect(waits).toEqual([1, 2, 4, 8]);
    const wait = expectLimited(await login(email, password, ip));
    expect(wait).toBe(16);
    clock.advance(wait * 1000);
    expect((await login(email, password, ip)).statusCode).toBe(200);
    // Signing in clears the pair: the next failure is a free one again.
    expect((await login(email, 'one-more-wrong-one', ip)).statusCode).toBe(401);
    expect((await login(email, password, ip)).statusCode).toBe(200);
  });

  it('slows guesses spread over many addresses, but not the owner at an address they signed in from', async () => {
    const { email, password } = await account();
    expect((await login(email, password, '203.0.113.50')).statusCode).toBe(200);
    const free = LOGIN_RULES.account.free;
    for (let i = 0; i < free + 1; i++) {
      expect((await login(email, `spread-${i}-password`, `198.18.0.${i + 1}`)).statusCode).toBe(401);
    }
    // A new address now waits (seconds, not minutes)…
    const wait = expectLimited(await login(email, password, '198.18.1.1'));
    expect(wait).toBeLessThanOrEqual(LOGIN_RULES.account.capSeconds);
    // …but the owner's own address does not.
    expect((await login(email, password, '203.0.113.50')).statusCode).toBe(200);
  });

  it('slows one address trying many accounts', async () => {
    const ip = '192.0.2.99';
    for (let i = 0; i < LOGIN_RULES.address.free + 1; i++) {
      expect((await login(`nobody-${i}@example.com`, 'wrong-password-x', ip)).statusCode).toBe(401);
    }
    expectLimited(await login('nobody-else@example.com', 'wrong-password-x', ip));
  });
});
