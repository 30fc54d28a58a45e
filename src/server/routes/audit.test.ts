// Audit routes: browsing newest first with filters and keyset paging, verification over HTTP (and a tampered row
// reported), and the JSONL export as a download with one line per event.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, buildApi, buildScriptedAgent } from '../../../test/support/api.ts';
import { HOT_ACTIONS } from '../../audit/log.ts';
import { auditListQuery } from './audit.ts';

let api: Api;
let runId = '';
beforeAll(async () => {
  api = await buildApi();
  const agent = await buildScriptedAgent(api.app);
  runId = (await api.app.runtime.startRun(agent.id, { type: 'manual' })).id;
});
afterAll(() => api.close());

type Event = { id: number; stream: string; seq: number; action: string; actor: string; at: string };

describe('GET /api/audit', () => {
  it('lists newest first and filters by stream, action and actor', async () => {
    const all = (await api.as('viewer').get('/api/audit')).json().events as Event[];
    const ids = all.map((e) => e.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    const run = (await api.as('viewer').get(`/api/audit?stream=run:${runId}`)).json().events as Event[];
    expect(run.map((e) => e.seq)).toEqual(run.map((_, i) => run.length - i));
    expect(run.at(-1)).toMatchObject({ action: 'run.started', stream: `run:${runId}` });
    const tokens = (await api.as('viewer').get('/api/audit?action=token.created&actor=test')).json().events;
    expect(tokens).toHaveLength(3);
    expect(new Date(tokens[0].at).toISOString()).toBe(tokens[0].at);
  });

  it('filters by subject and action as a plain comparison would, through the partial indexes', async () => {
    const plain = async (col: 'subject' | 'action', v: string) =>
      (
        await api.db.query<{ id: number }>(
          `SELECT id FROM audit_events WHERE ${col} = $1 ORDER BY id DESC LIMIT 500`,
          [v],
        )
      ).map((r) => r.id);
    const listed = async (q: string) =>
      ((await api.as('viewer').get(`/api/audit?limit=500&${q}`)).json().events as Event[]).map((e) => e.id);
    const [other] = await api.db.query<{ subject: string; action: string }>(
      `SELECT subject, action FROM audit_events WHERE subject <> stream ORDER BY id LIMIT 1`,
    );
    expect(other).toBeDefined();
    for (const subject of [`run:${runId}`, other!.subject, 'nothing:here']) {
      const ids = await plain('subject', subject);
      expect(await listed(`subject=${encodeURIComponent(subject)}`)).toEqual(ids);
      if (subject !== 'nothing:here') expect(ids.length).toBeGreaterThan(0);
    }
    for (const action of ['run.started', 'tool.intent', 'token.created', other!.action, 'no.such']) {
      expect(await listed(`action=${encodeURIComponent(action)}`)).toEqual(await plain('action', action));
    }
    // Where the statement can use an index at all (no sequential scan allowed), it is the lookup index, also in the
    // generic plan a named statement gets after a few runs (which cannot read the value from the parameter).
    const planFor = (filter: Record<string, string>) =>
      api.db.transaction(async (tx) => {
        await tx.query(`SET LOCAL enable_seqscan = off`);
        await tx.query(`SET LOCAL plan_cache_mode = force_generic_plan`);
        const { sql, params } = auditListQuery({ limit: 50, ...filter });
        await tx.exec(`PREPARE audit_list AS ${sql}`);
        const values = params.map((p) =>
          typeof p === 'number' ? String(p) : `'${String(p).replaceAll("'", "''")}'`,
        );
        const rows = await tx.query<Record<string, string>>(
          `EXPLAIN EXECUTE audit_list(${values.join(', ')})`,
        );
        await tx.exec('DEALLOCATE audit_list');
        return rows.map((r) => Object.values(r)[0]).join('\n');
      });
    expect(await planFor({ action: 'token.created' })).toContain('audit_action');
    expect(await planFor({ subject: other!.subject })).toContain('audit_subject');
  });

  it('leaves out of the action index exactly the actions HOT_ACTIONS names', async () => {
    const [row] = await api.db.query<{ def: string }>(
      `SELECT pg_get_indexdef(c.oid) AS def FROM pg_class c WHERE c.oid = to_regclass('audit_action')`,
    );
    const named = [...row!.def.matchAll(/'([a-z_.]+)'/g)].map((m) => m[1]);
    expect(named.sort()).toEqual([...HOT_ACTIONS].sort());
  });

  it('pages backwards with before=<id> until nextBefore is null', async () => {
    const total = (await api.as('viewer').get('/api/audit?limit=500')).json().events.length as number;
    const seen: number[] = [];
    let before: number | null = null;
    for (let page = 0; page < 50; page++) {
      const url: string = `/api/audit?limit=4${before ? `&before=${before}` : ''}`;
      const body = (await api.as('viewer').get(url)).json() as { events: Event[]; nextBefore: number | null };
      seen.push(...body.events.map((e) => e.id));
      before = body.nextBefore;
      if (before === null) break;
    }
    expect(seen).toHaveLength(total);
    expect(new Set(seen).size).toBe(total);
  });
});

describe('POST /api/audit/verify', () => {
  it('reports an intact trail, then the first broken link after tampering', async () => {
    const ok = (await api.as('viewer').post('/api/audit/verify')).json();
    expect(ok).toMatchObject({ ok: true, problems: [], firstBroken: null });
    expect(ok.events).toBeGreaterThan(5);

    // Tampering needs the append-only trigger off for a moment; this test owns its database.
    const [victim] = await api.db.query<{ id: number }>(
      `SELECT id FROM audit_events WHERE stream = $1 AND action = 'run.started'`,
      [`run:${runId}`],
    );
    await api.db.exec('ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only');
    await api.db.query(`UPDATE audit_events SET actor = 'someone-else' WHERE id = $1`, [victim!.id]);
    await api.db.exec('ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only');
    const broken = (await api.as('viewer').post('/api/audit/verify')).json();
    expect(broken).toMatchObject({ ok: false, firstBroken: { id: victim!.id, stream: `run:${runId}` } });
  });
});

describe('GET /api/audit/export', () => {
  it('downloads the trail as JSONL, one event per line in insertion order', async () => {
    const res = await api.as('admin').get('/api/audit/export');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/x-ndjson/);
    expect(res.headers['content-disposition']).toMatch(
      /^attachment; filename="twelve-audit-\d{4}-\d{2}-\d{2}\.jsonl"$/,
    );
    const lines = res.body.trimEnd().split('\n');
    const events = lines.map((l) => JSON.parse(l) as Event & { hash: string });
    const [count] = await api.db.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_events');
    expect(events).toHaveLength(count!.n);
    expect(events.map((e) => e.id)).toEqual([...events.map((e) => e.id)].sort((a, b) => a - b));
    expect(events[0]).toHaveProperty('hash');
  });
});
