// Knowledge-base routes: entries are created, edited, versioned and deleted through the commands (revisions kept),
// articles import from HTML or an uploaded file (a real PDF; refused files leave no row behind), the inbox turns a human answer into an entry or a question into a phrasing, and a
// human reply to a drafted escalation records how far it agreed with the draft.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, buildApi, buildScriptedAgent, startEscalatedRun } from '../../../test/support/api.ts';
import { makePdf } from '../../../test/support/pdf.ts';
import { northwindAgent } from '../../../test/support/webchat.ts';
import { conversationOpener, customerMessageHandler } from '../../conversations/conversations.ts';
import { MAX_FILE_BYTES } from '../../documents/read.ts';
import { agentCreator } from '../../runtime/agents.ts';
import type { AgentConfig } from '../../runtime/types.ts';
import { answerFrom } from '../answer.ts';
import { faqCreator } from '../kb.ts';

let api: Api;
let n = 0;
beforeAll(async () => {
  api = await buildApi();
});
afterAll(() => api.close());

async function supportAgent(): Promise<AgentConfig> {
  return agentCreator(api.app, 'test', { kind: 'support', name: `support-${++n}`, confidenceThreshold: 0.5 });
}

/** A web chat conversation in which the customer asks for a person, then asks `question` while waiting. */
async function handedOver(agent: AgentConfig, question: string, channel = 'webchat') {
  const { conversation } = await conversationOpener(api.app, { agentId: agent.id, channel });
  const first = await customerMessageHandler(api.app, { conversation, text: 'I want to speak to a person' });
  expect(first.handledBy).toBe('human');
  await customerMessageHandler(api.app, { conversation, text: question });
  return { conversation, escalationId: first.escalationId! };
}

describe('FAQ entries', () => {
  it('creates, edits, versions and deletes an entry, keeping every revision', async () => {
    const agent = await supportAgent();
    const reviewer = api.as('reviewer');
    const created = await reviewer.post(`/api/agents/${agent.name}/kb/entries`, {
      title: 'Opening hours',
      answer: 'Monday to Friday, 9:00 to 17:30.',
      phrasings: ['when are you open', 'When are you OPEN', 'opening times'],
      tags: ['shop'],
    });
    expect(created.statusCode, created.body).toBe(201);
    const entry = created.json().entry;
    // Phrasings differing only in case are one phrasing.
    expect(entry).toMatchObject({
      version: 1,
      phrasings: ['when are you open', 'opening times'],
      tags: ['shop'],
    });

    // A patch changes only what it names: tags and phrasings survive a new title.
    const patched = await reviewer.patch(`/api/kb/entries/${entry.id}`, { title: 'Shop opening hours' });
    expect(patched.json().entry).toMatchObject({
      title: 'Shop opening hours',
      version: 2,
      phrasings: ['when are you open', 'opening times'],
      tags: ['shop'],
    });
    const phrased = await reviewer.post(`/api/kb/entries/${entry.id}/phrasings`, {
      phrasing: 'are you open now?',
    });
    expect(phrased.statusCode).toBe(201);
    expect(phrased.json().entry).toMatchObject({ version: 3, tags: ['shop'] });
    expect(phrased.json().entry.phrasings).toContain('are you open now?');
    expect((await reviewer.patch(`/api/kb/entries/${entry.id}`, {})).statusCode).toBe(400);

    const kb = (await api.as('viewer').get(`/api/agents/${agent.name}/kb`)).json();
    expect(kb.entries.map((e: { id: string }) => e.id)).toEqual([entry.id]);
    expect(kb.version).toBe(3);

    expect((await reviewer.delete(`/api/kb/entries/${entry.id}`)).statusCode).toBe(200);
    expect((await api.as('viewer').get(`/api/agents/${agent.name}/kb`)).json().entries).toEqual([]);
    expect((await reviewer.patch(`/api/kb/entries/${entry.id}`, { answer: 'x' })).statusCode).toBe(404);
    expect((await reviewer.delete(`/api/kb/entries/${entry.id}`)).statusCode).toBe(404);

    const revisions = (await api.as('viewer').get(`/api/kb/entries/${entry.id}/revisions`)).json().revisions;
    expect(revisions.map((r: { version: number }) => r.version)).toEqual([4, 3, 2, 1]);
    expect(revisions[0].snapshot).toEqual({ deleted: true });
    expect(revisions[2]).toMatchObject({
      editedBy: 'token:test-reviewer',
      snapshot: { title: 'Shop opening hours' },
    });
    const audit = await api.db.query<{ action: string }>(
      'SELECT action FROM audit_events WHERE subject = $1 ORDER BY id',
      [`kb_entry:${entry.id}`],
    );
    expect(audit.map((a) => a.action)).toEqual([
      'kb.entry_created',
      'kb.entry_updated',
      'kb.entry_updated',
      'kb.entry_deleted',
    ]);
    const missing = await api
      .as('viewer')
      .get('/api/kb/entries/00000000-0000-4000-8000-000000000000/revisions');
    expect(missing.statusCode).toBe(404);
  });

  it('refuses a viewer, and an unknown agent', async () => {
    const agent = await supportAgent();
    const body = { title: 'T', answer: 'A' };
    expect((await api.as('viewer').post(`/api/agents/${agent.name}/kb/entries`, body)).statusCode).toBe(403);
    expect((await api.as('admin').post('/api/agents/nobody/kb/entries', body)).statusCode).toBe(404);
  });

  it('refuses NUL and unpaired surrogates anywhere in a request with 400, naming the place, and stores nothing', async () => {
    const agent = await supportAgent();
    const before = (await api.as('viewer').get(`/api/agents/${agent.name}/kb`)).json().entries.length;
    const cases: [string, unknown, string][] = [
      [`/api/agents/${agent.name}/kb/entries`, { title: 'a\u0000b', answer: 'A' }, 'body.title'],
      [
        `/api/agents/${agent.name}/kb/entries`,
        { title: 'T', answer: 'A', phrasings: ['ok', 'x\ud800'] },
        'body.phrasings.1',
      ],
      [`/api/agents/${agent.name}/kb/entries`, { title: 'T', answer: 'A', tags: ['\udc00'] }, 'body.tags.0'],
      [`/api/agents/${agent.name}\u0000/kb/entries`, { title: 'T', answer: 'A' }, 'path.agent'],
    ];
    for (const [url, body, path] of cases) {
      const res = await api.as('admin').post(url, body);
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toMatchObject({
        id: 'validation_failed',
        details: [expect.objectContaining({ path })],
      });
    }
    const query = await api.as('viewer').get('/api/runs?agent=%00');
    expect(query.statusCode).toBe(400);
    expect((await api.as('viewer').get('/api/agents/%00/kb')).statusCode).toBe(400);
    expect((await api.as('viewer').get(`/api/agents/${agent.name}/kb`)).json().entries).toHaveLength(before);
  });
});

describe('questions that go to a person', () => {
  /** What the agent does with `text` in a new web chat: its answer's source titles, or null when it did not answer. */
  async function asks(agent: AgentConfig, text: string): Promise<string | null> {
    // The engine of the current KB version, trained before the question (answering() may serve a stale one briefly).
    const [state] = await api.db.query<{ version: number }>(
      'SELECT version FROM kb_state WHERE agent_id = $1',
      [agent.id],
    );
    await api.app.knowledge.engines.get(api.db, agent.id, Number(state!.version));
    const { conversation } = await conversationOpener(api.app, { agentId: agent.id, channel: 'webchat' });
    const r = await customerMessageHandler(api.app, { conversation, text });
    const out = r.written?.find((m) => m.direction === 'out');
    return out && (out.meta as { intent?: string } | null)?.intent === 'answer' ? out.body : null;
  }

  it('are learned at once: the question and its neighbours go to a person, the entry keeps its own', async () => {
    const agent = await northwindAgent(api.app, 'escalate-desk');
    const reviewer = api.as('reviewer');
    expect(await asks(agent, 'Do you repair cars?')).toMatch(/book a service/i);
    expect(await asks(agent, 'Can you repair my car please?')).toMatch(/book a service/i);

    const added = await reviewer.post(`/api/agents/${agent.name}/kb/escalate-questions`, {
      text: 'do you repair cars',
      note: 'We only work on bikes.',
    });
    expect(added.statusCode, added.body).toBe(201);
    expect(added.json().question).toMatchObject({
      text: 'do you repair cars',
      note: 'We only work on bikes.',
      createdBy: 'token:test-reviewer',
    });
    expect(await asks(agent, 'Do you repair cars?')).toBeNull();
    expect(await asks(agent, 'Can you repair my car please?')).toBeNull();
    expect(await asks(agent, 'How much is a service?')).toMatch(/book a service/i);
    expect(await asks(agent, 'Can you repair my bike?')).toMatch(/book a service/i);

    // Listed on the KB, versioned and audited like an entry.
    const kb = (await reviewer.get(`/api/agents/${agent.name}/kb`)).json();
    expect(kb.escalate).toEqual([
      expect.objectContaining({ id: added.json().question.id, text: 'do you repair cars' }),
    ]);
    expect(kb.version).toBe(added.json().version);
    const [audit] = await api.db.query<{ action: string }>(
      `SELECT action FROM audit_events WHERE subject = $1`,
      [`kb_escalate:${added.json().question.id}`],
    );
    expect(audit?.action).toBe('kb.escalate_question_added');

    // The same question again (case and punctuation aside), or an entry's own phrasing: refused, nothing written.
    const again = await reviewer.post(`/api/agents/${agent.name}/kb/escalate-questions`, {
      text: 'Do you repair cars?',
    });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.message).toMatch(/already goes to a person/);
    const phrasing = await reviewer.post(`/api/agents/${agent.name}/kb/escalate-questions`, {
      text: 'how much is a service',
    });
    expect(phrasing.statusCode).toBe(409);
    expect(phrasing.json().error.message).toMatch(/phrasing of the entry “Book a service”/);
    expect((await reviewer.get(`/api/agents/${agent.name}/kb`)).json().version).toBe(added.json().version);

    // Deleted: the agent answers it again.
    const del = await reviewer.delete(`/api/kb/escalate-questions/${added.json().question.id}`);
    expect(del.statusCode, del.body).toBe(200);
    expect((await reviewer.get(`/api/agents/${agent.name}/kb`)).json().escalate).toEqual([]);
    expect(await asks(agent, 'Do you repair cars?')).toMatch(/book a service/i);
    expect((await reviewer.delete(`/api/kb/escalate-questions/${added.json().question.id}`)).statusCode).toBe(
      404,
    );
  });

  it('leave the list when an entry takes them as a phrasing: the later decision wins, audited', async () => {
    const agent = await supportAgent();
    const reviewer = api.as('reviewer');
    const entry = (
      await reviewer.post(`/api/agents/${agent.name}/kb/entries`, {
        title: 'Car repairs',
        answer: 'We service e-cargo bikes only.',
        phrasings: ['do you fix cargo bikes'],
      })
    ).json().entry;
    const listed = (
      await reviewer.post(`/api/agents/${agent.name}/kb/escalate-questions`, { text: 'Do you repair cars?' })
    ).json().question;
    const other = (
      await reviewer.post(`/api/agents/${agent.name}/kb/escalate-questions`, { text: 'Do you sell cars?' })
    ).json().question;
    const added = await reviewer.post(`/api/kb/entries/${entry.id}/phrasings`, {
      phrasing: 'do you repair cars',
    });
    expect(added.statusCode, added.body).toBe(201);
    const kb = (await reviewer.get(`/api/agents/${agent.name}/kb`)).json();
    expect(kb.escalate.map((q: { id: string }) => q.id)).toEqual([other.id]);
    const [revision] = await api.db.query<{ snapshot: Record<string, unknown> }>(
      `SELECT snapshot FROM kb_revisions WHERE subject = $1 AND version = 2`,
      [`kb_escalate:${listed.id}`],
    );
    expect(revision?.snapshot).toEqual({
      deleted: true,
      answeredBy: { entryId: entry.id, title: 'Car repairs' },
    });
  });

  it('refuses blank and oversized questions, and viewers', async () => {
    const agent = await supportAgent();
    const url = `/api/agents/${agent.name}/kb/escalate-questions`;
    for (const body of [
      { text: '   ' },
      { text: 'x'.repeat(1001) },
      { text: 'ok', note: 'n'.repeat(501) },
      {},
    ]) {
      const res = await api.as('reviewer').post(url, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().error.id).toBe('validation_failed');
    }
    expect((await api.as('viewer').post(url, { text: 'do you repair cars' })).statusCode).toBe(403);
  });
});

describe('GET /api/agents/:agent/kb/health and /kb/engine', () => {
  it('says how well the engine tells the entries apart, by title, once the KB is large enough', async () => {
    const agent = await supportAgent();
    const viewer = api.as('viewer');
    const templates = ['how do I {t}', 'I want to {t}', 'can I {t} online', 'help me {t}', 'where do I {t}'];
    const add = (title: string, phrasings: string[]) =>
      faqCreator(api.app, 'test', agent.id, { title, answer: `${title}.`, phrasings });
    await add(
      'Reset password',
      templates.map((x) => x.replace('{t}', 'reset my password')),
    );
    await add(
      'Book a repair',
      templates.map((x) => x.replace('{t}', 'book a repair')),
    );
    // Too small for training rounds yet (2 entries): nothing measured, and the answer says so.
    const small = (await viewer.get(`/api/agents/${agent.name}/kb/health`)).json();
    expect(small).toEqual({ version: 2, health: null });

    await add(
      'Find the shop',
      templates.map((x) => x.replace('{t}', 'find the shop')),
    );
    await add(
      'Cancel my order',
      templates.map((x, i) => x.replace('{t}', i % 2 ? 'cancel my order' : 'cancel an order')),
    );
    await add(
      'Cancel an order',
      templates.map((x, i) => x.replace('{t}', i % 2 ? 'cancel an order' : 'cancel my order')),
    );
    const res = await viewer.get(`/api/agents/${agent.name}/kb/health`);
    expect(res.statusCode).toBe(200);
    const { version, health } = res.json();
    expect(version).toBe(5);
    expect(health.entries.map((e: { title: string }) => e.title).sort()).toEqual([
      'Book a repair',
      'Cancel an order',
      'Cancel my order',
      'Find the shop',
      'Reset password',
    ]);
    for (const e of health.entries) expect(e.recognized).toBeLessThanOrEqual(e.heldOut);
    expect([health.lookAlike[0].entry.title, health.lookAlike[0].other.title].sort()).toEqual([
      'Cancel an order',
      'Cancel my order',
    ]);

    // The engine that answered is this version's, on this node.
    const engine = (await viewer.get(`/api/agents/${agent.name}/kb/engine`)).json().engine;
    expect(engine).toMatchObject({ kbVersion: 5, state: 'ready', serving: { version: 5, engineVersion: 5 } });
    expect((await viewer.get('/api/agents/no-such-agent/kb/health')).statusCode).toBe(404);
  });
});

describe('articles', () => {
  it('imports pasted HTML as text passages; the same content again changes nothing', async () => {
    const agent = await supportAgent();
    const body = {
      title: 'Warranty',
      source: 'warranty.html',
      format: 'html',
      content:
        '<h1>Warranty</h1><p>Frames carry a <b>lifetime</b> warranty.</p><script>alert(1)</script><h2>Batteries</h2><p>Two years or 800 charge cycles.</p>',
    };
    const first = await api.as('reviewer').post(`/api/agents/${agent.name}/kb/articles`, body);
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toMatchObject({
      changed: true,
      article: { title: 'Warranty', format: 'html', version: 1 },
    });
    const passages = await api.db.query<{ heading: string; text: string }>(
      'SELECT heading, text FROM kb_passages WHERE agent_id = $1 ORDER BY idx',
      [agent.id],
    );
    expect(passages.map((p) => p.heading)).toContain('Batteries');
    expect(passages.map((p) => p.text).join(' ')).toContain('lifetime warranty');
    expect(JSON.stringify(passages)).not.toMatch(/<b>|alert/);

    const again = await api.as('reviewer').post(`/api/agents/${agent.name}/kb/articles`, body);
    expect(again.json()).toMatchObject({ changed: false, article: { version: 1 } });
    const kb = (await api.as('viewer').get(`/api/agents/${agent.name}/kb`)).json();
    expect(kb.articles).toEqual([
      expect.objectContaining({ source: 'warranty.html', passages: passages.length }),
    ]);
  });

  it('refuses HTML without text, unknown formats and bodies over 1 MiB', async () => {
    const agent = await supportAgent();
    const post = (content: string, format = 'html') =>
      api
        .as('admin')
        .post(`/api/agents/${agent.name}/kb/articles`, { title: 'x', source: 'x', format, content });
    expect((await post('<img src="a.png">')).statusCode).toBe(400);
    expect((await post('%PDF-1.7', 'pdf')).statusCode).toBe(400);
    // The server's 1 MiB body limit bounds a pasted article.
    const huge = await post('x'.repeat(1_100_000), 'text');
    expect(huge.statusCode).toBe(413);
    expect(huge.json().error.id).toBe('payload_too_large');
  });
});

describe('POST /api/agents/:agent/kb/files', () => {
  const TYRES = [
    'Tyre care guide',
    'Check tyre pressure every week: road tyres need 80 to 100 psi,',
    'mountain bike tyres 25 to 35 psi. Replace a tyre when the tread is worn flat',
    'or when you can see the casing threads through the rubber.',
  ];
  const upload = (agent: AgentConfig, filename: string, body: Buffer | string, contentType: string) =>
    api
      .as('reviewer')
      .post(`/api/agents/${agent.name}/kb/files?filename=${encodeURIComponent(filename)}`, body, {
        'content-type': contentType,
      });

  /** Every row a KB write touches, for one agent: an upload that is refused must change none of them. */
  async function footprint(agentId: string) {
    const count = async (sql: string) => (await api.db.query<{ n: number }>(sql, [agentId]))[0]!.n;
    return {
      articles: await count('SELECT count(*)::int AS n FROM kb_articles WHERE agent_id = $1'),
      passages: await count('SELECT count(*)::int AS n FROM kb_passages WHERE agent_id = $1'),
      revisions: await count('SELECT count(*)::int AS n FROM kb_revisions WHERE agent_id = $1'),
      audit: await count(`SELECT count(*)::int AS n FROM audit_events WHERE stream = 'agent:' || $1`),
      version: await count('SELECT coalesce(max(version), 0)::int AS n FROM kb_state WHERE agent_id = $1'),
    };
  }

  it('imports an uploaded PDF as a versioned, audited article the agent answers from', async () => {
    const agent = await supportAgent();
    const pdf = await makePdf(TYRES);
    const res = await upload(agent, 'tyre-care.pdf', pdf, 'application/pdf');
    expect(res.statusCode, res.body).toBe(201);
    const { article, changed } = res.json();
    expect(changed).toBe(true);
    expect(article).toMatchObject({
      source: 'tyre-care.pdf',
      title: 'tyre-care.pdf',
      format: 'pdf',
      version: 1,
    });
    expect(article.passages).toBeGreaterThanOrEqual(1);
    const passages = await api.db.query<{ text: string }>(
      'SELECT text FROM kb_passages WHERE article_id = $1',
      [article.id],
    );
    expect(passages.map((p) => p.text).join(' ')).toContain('80 to 100 psi');
    // Versioned and audited like every KB edit, by the caller.
    const [revision] = await api.db.query<{
      version: number;
      edited_by: string;
      snapshot: { format: string };
    }>('SELECT version, edited_by, snapshot FROM kb_revisions WHERE subject = $1', [
      `kb_article:${article.id}`,
    ]);
    expect(revision).toMatchObject({
      version: 1,
      edited_by: 'token:test-reviewer',
      snapshot: { format: 'pdf' },
    });
    const audit = await api.db.query<{ action: string; actor: string }>(
      'SELECT action, actor FROM audit_events WHERE subject = $1',
      [`kb_article:${article.id}`],
    );
    expect(audit).toEqual([{ action: 'kb.article_created', actor: 'token:test-reviewer' }]);
    const answer = answerFrom(
      await api.app.knowledge.engines.get(api.db, agent.id),
      'what tyre pressure for a road bike?',
    );
    expect(answer.text).toMatch(/80 to 100 psi/);
    expect(answer.sources[0]).toBe(`article:${article.id}#${answer.topic}`);

    // The same file again changes nothing; new content under the same name is version 2.
    const again = await upload(agent, 'tyre-care.pdf', pdf, 'application/octet-stream');
    expect(again.json()).toMatchObject({ changed: false, article: { id: article.id, version: 1 } });
    const revised = await upload(
      agent,
      'tyre-care.pdf',
      await makePdf([...TYRES, 'Tubeless tyres: 20 psi.']),
      'application/pdf',
    );
    expect(revised.json()).toMatchObject({ changed: true, article: { id: article.id, version: 2 } });
    const actions = await api.db.query<{ action: string }>(
      'SELECT action FROM audit_events WHERE subject = $1 ORDER BY seq',
      [`kb_article:${article.id}`],
    );
    expect(actions.map((a) => a.action)).toEqual(['kb.article_created', 'kb.article_updated']);
    const kb = (await api.as('viewer').get(`/api/agents/${agent.name}/kb`)).json();
    expect(kb.articles).toEqual([
      expect.objectContaining({ source: 'tyre-care.pdf', format: 'pdf', version: 2 }),
    ]);
  });

  it('imports Markdown, HTML and text files through the same chunking as the CLI', async () => {
    const agent = await supportAgent();
    const md = await upload(
      agent,
      'returns.md',
      '# Returns policy\n\nReturn **unused** items within 30 days.\n\n## Refunds\n\nRefunds take five working days.',
      'text/markdown; charset=utf-8',
    );
    expect(md.statusCode, md.body).toBe(201);
    expect(md.json().article).toMatchObject({ title: 'Returns policy', format: 'markdown', passages: 2 });
    // Markdown is plain text, and is often sent as such.
    expect((await upload(agent, 'notes.md', '# Notes\n\nShort.', 'text/plain')).statusCode).toBe(201);
    const html = await upload(
      agent,
      'warranty.html',
      '<h1>Warranty</h1><p>Frames: lifetime.</p><script>alert(1)</script>',
      'text/html',
    );
    expect(html.json().article).toMatchObject({ title: 'Warranty', format: 'html' });
    const txt = await upload(agent, 'hours.txt', '\ufeffOpen Monday to Friday.', 'application/octet-stream');
    expect(txt.json().article).toMatchObject({ title: 'hours.txt', format: 'text' });
    expect(txt.json().encoding).toBe('utf-8');
    const passages = await api.db.query<{ heading: string; text: string }>(
      'SELECT heading, text FROM kb_passages WHERE agent_id = $1',
      [agent.id],
    );
    expect(passages).toContainEqual(expect.objectContaining({ heading: 'Refunds' }));
    expect(JSON.stringify(passages)).not.toMatch(/\*\*|alert|\ufeff/);
  });

  it('reads text saved in other character sets: Windows-1252, UTF-16 with a BOM, a declared charset, <meta charset>', async () => {
    const agent = await supportAgent();
    const cp1252 = Buffer.from(
      'Caf\xe9 opening hours \x96 we deliver to M\xfcnchen and Z\xfcrich. A r\xe9sum\xe9 of our returns policy: bring the receipt within 30 days.',
      'latin1',
    );
    const legacy = await upload(agent, 'legacy.txt', cp1252, 'text/plain');
    expect(legacy.statusCode, legacy.body).toBe(201);
    expect(legacy.json().encoding).toBe('windows-1252');
    const utf16 = await upload(
      agent,
      'export.txt',
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Gift cards never expire.', 'utf16le')]),
      'text/plain',
    );
    expect(utf16.json().encoding).toBe('utf-16le');
    const declared = await upload(
      agent,
      'menu.md',
      Buffer.from('# Men\xfc\n\nCr\xe8me br\xfbl\xe9e.', 'latin1'),
      'text/markdown; charset=ISO-8859-1',
    );
    expect(declared.json()).toMatchObject({ encoding: 'windows-1252', article: { title: 'Menü' } });
    const page = await upload(
      agent,
      'old.html',
      Buffer.from(
        '<html><head><meta charset="iso-8859-15"><title>t</title></head><body><h1>Tarifs en \xa4</h1><p>\xc9t\xe9 2024.</p></body></html>',
        'latin1',
      ),
      'text/html',
    );
    expect(page.json()).toMatchObject({ encoding: 'iso-8859-15', article: { title: 'Tarifs en €' } });
    const texts = (
      await api.db.query<{ text: string }>('SELECT text FROM kb_passages WHERE agent_id = $1', [agent.id])
    ).map((r) => r.text);
    const all = texts.join('\n');
    for (const word of [
      'Café',
      'München',
      'Zürich',
      '–',
      'résumé',
      'Gift cards never expire',
      'Crème brûlée',
      'Été',
    ])
      expect(all).toContain(word);
    expect(all).not.toMatch(/\ufffd|Ã/);
  });

  it('refuses files of the wrong type, oversized, corrupt or empty, with a stable id and no rows written', async () => {
    const agent = await supportAgent();
    const before = await footprint(agent.id);
    const pdf = await makePdf(TYRES);
    const cases: [string, Buffer | string, string, number, string, RegExp][] = [
      [
        'manual.docx',
        'PK\u0003\u0004',
        'application/octet-stream',
        415,
        'unsupported_media_type',
        /only PDF, Markdown/,
      ],
      ['photo.png', pdf, 'image/png', 415, 'unsupported_media_type', /Content-Types?: application\/pdf/],
      [
        'guide.pdf',
        pdf,
        'text/html',
        415,
        'unsupported_media_type',
        /name says pdf but the Content-Type says text\/html/,
      ],
      [
        'guide.pdf',
        '<h1>not a pdf</h1>',
        'application/pdf',
        415,
        'unsupported_media_type',
        /no %PDF- header/,
      ],
      ['guide.md', pdf, 'text/markdown', 415, 'unsupported_media_type', /is a PDF, not markdown/],
      [
        'guide.txt',
        'Opening hours',
        'text/plain; charset=klingon',
        415,
        'unsupported_media_type',
        /unknown character set: klingon/,
      ],
      [
        'guide.txt',
        Buffer.from([0x48, 0x69, 0xff, 0x21]),
        'text/plain; charset=utf-8',
        415,
        'unsupported_media_type',
        /not valid utf-8 text/,
      ],
      [
        'noise.txt',
        Buffer.from(Array.from({ length: 300 }, (_, i) => ((i * 7919 + 13) % 256) | 0x80)),
        'text/plain',
        415,
        'unsupported_media_type',
        /could not be told/,
      ],
      ['guide.txt', 'a\u0000b', 'text/plain', 415, 'unsupported_media_type', /binary/],
      [
        'data.txt',
        Buffer.from(Array.from({ length: 400 }, (_, i) => (i % 3 === 0 ? 0x01 + (i % 8) : 0x61 + (i % 26)))),
        'text/plain',
        415,
        'unsupported_media_type',
        /binary, not text \(it is full of control characters\)/,
      ],
      [
        'broken.pdf',
        '%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage',
        'application/pdf',
        422,
        'file_unreadable',
        /PDF could not be read/,
      ],
      [
        'truncated.pdf',
        pdf.subarray(0, 600),
        'application/pdf',
        422,
        'file_unreadable',
        /PDF could not be read/,
      ],
      ['blank.html', '<img src="a.png">', 'text/html', 422, 'file_unreadable', /no text/],
      [
        'big.txt',
        Buffer.alloc(MAX_FILE_BYTES + 1, 'a'),
        'text/plain',
        413,
        'payload_too_large',
        /limited to 20 MiB/,
      ],
      ['empty.txt', '', 'text/plain', 400, 'validation_failed', /send the file/],
      ['../../etc/passwd.txt', 'x', 'text/plain', 400, 'validation_failed', /not valid/],
    ];
    for (const [name, body, type, status, id, message] of cases) {
      const res = await upload(agent, name, body, type);
      expect(res.statusCode, `${name} as ${type}: ${res.body}`).toBe(status);
      expect(res.json().error, name).toMatchObject({ id, message: expect.stringMatching(message) });
    }
    const noName = await api
      .as('reviewer')
      .post(`/api/agents/${agent.name}/kb/files`, 'x', { 'content-type': 'text/plain' });
    expect(noName.json().error.id).toBe('validation_failed');
    expect(await footprint(agent.id)).toEqual(before);
  });

  it('writes the article, its passages, revision and audit event together or not at all', async () => {
    const agent = await supportAgent();
    const before = await footprint(agent.id);
    // A database failure half-way through the write (on the second passage, after the article row is in).
    await api.db.query(`CREATE FUNCTION fail_on_marker() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.text LIKE '%explode-here%' THEN RAISE EXCEPTION 'disk full'; END IF; RETURN NEW; END $$`);
    await api.db.query(
      'CREATE TRIGGER fail_on_marker BEFORE INSERT ON kb_passages FOR EACH ROW EXECUTE FUNCTION fail_on_marker()',
    );
    try {
      const res = await upload(
        agent,
        'half.md',
        '# One\n\nFirst part.\n\n# Two\n\nexplode-here',
        'text/markdown',
      );
      expect(res.statusCode).toBe(500);
      expect(res.json().error.id).toBe('internal_error');
      expect(await footprint(agent.id)).toEqual(before);
    } finally {
      await api.db.query('DROP TRIGGER fail_on_marker ON kb_passages');
      await api.db.query('DROP FUNCTION fail_on_marker()');
    }
  });

  it('is for KB writers: a viewer is refused before the body is read', async () => {
    const agent = await supportAgent();
    const res = await api
      .as('viewer')
      .post(`/api/agents/${agent.name}/kb/files?filename=a.txt`, Buffer.alloc(MAX_FILE_BYTES + 1, 'a'), {
        'content-type': 'text/plain',
      });
    // 403, not 413: the caller is checked on the request line.
    expect(res.statusCode).toBe(403);
    expect(
      (
        await api
          .as('reviewer')
          .post('/api/agents/nobody/kb/files?filename=a.txt', 'x', { 'content-type': 'text/plain' })
      ).statusCode,
    ).toBe(404);
  });

  it('is described in the OpenAPI document as a binary upload', async () => {
    const doc = (await api.anon.get('/api/openapi.json')).json();
    const op = doc.paths['/api/agents/{agent}/kb/files'].post;
    expect(Object.keys(op.requestBody.content)).toEqual(
      expect.arrayContaining(['application/pdf', 'text/markdown', 'text/html', 'text/plain']),
    );
    expect(op.parameters).toContainEqual(
      expect.objectContaining({ name: 'filename', in: 'query', required: true }),
    );
    expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['201', '413', '415', '422']));
  });
});

describe('POST /api/escalations/:id/to-kb', () => {
  it("saves the human's reply as a new entry with the customer's question, and the agent then knows it", async () => {
    const agent = await supportAgent();
    const { conversation, escalationId } = await handedOver(agent, 'Do you open on Sundays?');
    const early = await api.as('reviewer').post(`/api/escalations/${escalationId}/to-kb`, {
      mode: 'new',
      title: 'Sunday opening',
    });
    expect(early.statusCode).toBe(409);
    expect(early.json().error.id).toBe('invalid_state');

    await api.as('reviewer').post(`/api/escalations/${escalationId}/reply`, {
      text: 'Yes: on Sundays we open from 10:00 to 16:00.',
    });
    // A closing message after the reply is not the question the reply answered.
    await customerMessageHandler(api.app, { conversation, text: 'Great, thanks!' });
    const res = await api.as('reviewer').post(`/api/escalations/${escalationId}/to-kb`, {
      mode: 'new',
      title: 'Sunday opening',
      tags: ['hours'],
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().entry).toMatchObject({
      title: 'Sunday opening',
      answer: 'Yes: on Sundays we open from 10:00 to 16:00.',
      phrasings: ['Do you open on Sundays?'],
      tags: ['hours'],
      version: 1,
    });
    const answer = answerFrom(
      await api.app.knowledge.engines.get(api.db, agent.id),
      'are you open on a sunday?',
    );
    expect(answer.text).toBe('Yes: on Sundays we open from 10:00 to 16:00.');

    // An explicit answer and question win over the transcript.
    const explicit = await api.as('admin').post(`/api/escalations/${escalationId}/to-kb`, {
      mode: 'new',
      title: 'Bank holidays',
      question: 'open on bank holidays?',
      answer: 'Closed on bank holidays.',
    });
    expect(explicit.json().entry).toMatchObject({
      phrasings: ['open on bank holidays?'],
      answer: 'Closed on bank holidays.',
    });
  });

  it("adds the customer's question as a phrasing of an existing entry of the same agent", async () => {
    const agent = await supportAgent();
    const hours = await faqCreator(api.app, 'test', agent.id, {
      title: 'Opening hours',
      answer: 'Monday to Friday, 9:00 to 17:30.',
      phrasings: ['when are you open'],
    });
    const { escalationId } = await handedOver(agent, 'what time do you shut tonight?');
    const res = await api.as('reviewer').post(`/api/escalations/${escalationId}/to-kb`, {
      mode: 'phrasing',
      entryId: hours.id,
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().entry).toMatchObject({
      id: hours.id,
      version: 2,
      phrasings: ['when are you open', 'what time do you shut tonight?'],
    });

    const other = await supportAgent();
    const foreign = await faqCreator(api.app, 'test', other.id, { title: 'T', answer: 'A' });
    const wrong = await api.as('reviewer').post(`/api/escalations/${escalationId}/to-kb`, {
      mode: 'phrasing',
      entryId: foreign.id,
    });
    expect(wrong.statusCode).toBe(404);
    expect(
      (await api.as('reviewer').post(`/api/escalations/${escalationId}/to-kb`, { mode: 'phrasing' }))
        .statusCode,
    ).toBe(400);
    expect(
      (await api.as('viewer').post(`/api/escalations/${escalationId}/to-kb`, { mode: 'new', title: 'x' }))
        .statusCode,
    ).toBe(403);
  });

  it('is for agents whose kind has a knowledge base only', async () => {
    const custom = await buildScriptedAgent(api.app);
    const { escalationId } = await startEscalatedRun(api.app, custom);
    await api.as('reviewer').post(`/api/escalations/${escalationId}/reply`, { text: 'Hello' });
    const res = await api.as('reviewer').post(`/api/escalations/${escalationId}/to-kb`, {
      mode: 'new',
      title: 'x',
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toMatchObject({
      id: 'no_knowledge_base',
      message: expect.stringMatching(/custom agents have no knowledge base/),
    });
  });
});

describe('which agents have a knowledge base', () => {
  it('serves the KB of any kind that says it has one (the receptionist too), and refuses the others naming why', async () => {
    const reviewer = api.as('reviewer');
    const receptionist = await agentCreator(api.app, 'test', { kind: 'receptionist', name: `recep-${++n}` });
    const created = await reviewer.post(`/api/agents/${receptionist.name}/kb/entries`, {
      title: 'Parking',
      answer: 'Free parking behind the salon.',
      phrasings: ['is there parking', 'where can I park'],
    });
    expect(created.statusCode, created.body).toBe(201);
    const kb = await reviewer.get(`/api/agents/${receptionist.name}/kb`);
    expect(kb.statusCode).toBe(200);
    expect(kb.json().entries.map((e: { title: string }) => e.title)).toEqual(['Parking']);
    expect((await api.app.knowledge.answer(receptionist.id, 'where can I park?')).title).toBe('Parking');

    const custom = await buildScriptedAgent(api.app);
    for (const res of [
      await reviewer.get(`/api/agents/${custom.name}/kb`),
      await reviewer.get(`/api/agents/${custom.name}/kb/engine`),
      await reviewer.post(`/api/agents/${custom.name}/kb/entries`, {
        title: 'Parking',
        answer: 'Free parking.',
        phrasings: ['is there parking'],
      }),
    ]) {
      expect(res.statusCode, res.body).toBe(409);
      expect(res.json().error).toMatchObject({ id: 'no_knowledge_base', details: { kind: 'custom' } });
    }
    // Nothing was written for the refused agent.
    expect(await api.db.query('SELECT 1 FROM kb_entries WHERE agent_id = $1', [custom.id])).toEqual([]);
    // An unknown agent is still not found.
    expect((await reviewer.get('/api/agents/no-such-agent/kb')).statusCode).toBe(404);
  });
});

describe('draft agreement', () => {
  it('stores how close the first human reply came to a shadow draft, and averages it on the agent', async () => {
    // No readiness assessment: the agent runs in shadow, so every answer is a draft for a person.
    const agent = await supportAgent();
    await faqCreator(api.app, 'test', agent.id, {
      title: 'Opening hours',
      answer: 'We are open Monday to Friday, 9:00 to 17:30.',
      phrasings: ['when are you open', 'what are your opening hours'],
    });
    const drafted = async (text: string) => {
      const { conversation } = await conversationOpener(api.app, { agentId: agent.id, channel: 'webchat' });
      const r = await customerMessageHandler(api.app, { conversation, text });
      const detail = (await api.as('viewer').get(`/api/escalations/${r.escalationId}`)).json();
      expect(detail.escalation).toMatchObject({ kind: 'review', draftAgreement: null });
      expect(detail.escalation.suggestedReply).toContain('Monday to Friday');
      return r.escalationId!;
    };

    const same = await drafted('When are you open?');
    const sent = await api
      .as('reviewer')
      .post(`/api/escalations/${same}/reply`, { text: "We're open Monday to Friday, 9:00 to 17:30." });
    expect(sent.json().escalation.draftAgreement).toBe(1);
    // A follow-up reply is not compared again.
    await api.as('reviewer').post(`/api/escalations/${same}/reply`, { text: 'Anything else?' });
    expect((await api.as('viewer').get(`/api/escalations/${same}`)).json().escalation.draftAgreement).toBe(1);

    const rewritten = await drafted('what are your opening hours');
    const res = await api.as('reviewer').post(`/api/escalations/${rewritten}/reply`, {
      text: 'Sorry, we are closed this week for stocktaking.',
    });
    const partial = res.json().escalation.draftAgreement as number;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(0.5);

    const view = (await api.as('viewer').get(`/api/agents/${agent.name}`)).json();
    expect(view.support).toMatchObject({ draftsCompared: 2, conversations: 2, escalated: 2 });
    expect(view.support.draftAgreement).toBeCloseTo((1 + partial) / 2, 5);
    // Non-support agents carry no support block.
    const custom = await buildScriptedAgent(api.app);
    expect((await api.as('viewer').get(`/api/agents/${custom.name}`)).json().support).toBeUndefined();
  });

  it('shows each transcript message with its channel and delivery state', async () => {
    const agent = await supportAgent();
    const { escalationId } = await handedOver(agent, 'Where is my order?', 'email');
    const reply = await api
      .as('reviewer')
      .post(`/api/escalations/${escalationId}/reply`, { text: 'On its way.' });
    await api.db.query(`UPDATE messages SET delivery = 'failed', delivery_error = $2 WHERE id = $1`, [
      reply.json().message.id,
      'outside the 24-hour window: the customer last wrote 25 hours ago',
    ]);
    const detail = (await api.as('viewer').get(`/api/escalations/${escalationId}`)).json();
    expect(detail.agent).toMatchObject({ name: agent.name, kind: 'support' });
    expect(detail.messages.at(-1)).toMatchObject({
      author: 'human',
      channel: 'email',
      delivery: 'failed',
      deliveryError: expect.stringMatching(/^outside the 24-hour window/),
    });
    expect(detail.messages[0]).toMatchObject({ author: 'customer', delivery: null, deliveryError: null });
  });
});
