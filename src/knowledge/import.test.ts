// Importing documents: a real PDF is read with unpdf and chunked into passages the agent answers from; files that
// cannot be read are reported and skipped without stopping the import.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, type TestDb } from '../../test/support/db.ts';
import { type App, createApp } from '../app.ts';
import { pdfToText } from '../documents/read.ts';
import { agentCreator } from '../runtime/agents.ts';
import { answerFrom } from './answer.ts';
import { kbImporter } from './import.ts';
import { listArticles, listEscalateQuestions } from './kb.ts';

let db: TestDb;
let app: App;
const dir = mkdtempSync(join(tmpdir(), 'twelve-import-'));

async function writePdf(path: string, lines: string[]): Promise<void> {
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  const page = pdf.addPage([595, 842]);
  lines.forEach((line, i) => {
    page.drawText(line, { x: 50, y: 780 - i * 18, size: 11, font });
  });
  writeFileSync(path, await pdf.save());
}

beforeAll(async () => {
  db = await openTestDb();
  app = createApp(db);
});
afterAll(async () => {
  await db.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('document import', () => {
  it('reads a PDF into passages the engine retrieves', async () => {
    const agent = await agentCreator(app, 'user:a@example.com', { kind: 'support', name: 'pdf-import' });
    await writePdf(join(dir, 'care-guide.pdf'), [
      'Tyre care guide',
      'Check tyre pressure every week: road tyres need 80 to 100 psi,',
      'mountain bike tyres 25 to 35 psi. Replace a tyre when the tread is worn flat',
      'or when you can see the casing threads through the rubber.',
    ]);
    writeFileSync(join(dir, 'broken.pdf'), 'this is not a PDF');
    const report = await kbImporter(app, 'user:a@example.com', agent.id, dir);
    expect(report.articlesChanged).toBe(1);
    expect(report.skipped.map((s) => s.file)).toEqual(['broken.pdf']);
    const [article] = await listArticles(db, agent.id);
    expect(article).toMatchObject({ format: 'pdf', source: 'care-guide.pdf' });
    expect(article!.passages).toBeGreaterThanOrEqual(1);
    const answer = answerFrom(
      await app.knowledge.engines.get(db, agent.id),
      'what tyre pressure for a road bike?',
    );
    expect(answer.text).toMatch(/80 to 100 psi/);
    expect(answer.sources[0]).toMatch(/^article:/);
  });

  it('reads a folder of text files saved in other character sets, and reports which', async () => {
    const agent = await agentCreator(app, 'user:a@example.com', { kind: 'support', name: 'legacy-import' });
    const legacy = mkdtempSync(join(tmpdir(), 'twelve-legacy-'));
    try {
      writeFileSync(
        join(legacy, 'opening.txt'),
        Buffer.from(
          'Opening hours \x96 caf\xe9 and workshop: Monday to Saturday, 9 to 18. Closed on public holidays.',
          'latin1',
        ),
      );
      writeFileSync(join(legacy, 'returns.md'), '# Returns\n\nBring the receipt within 30 days.');
      const report = await kbImporter(app, 'user:a@example.com', agent.id, legacy);
      expect(report).toMatchObject({ articlesChanged: 2, skipped: [] });
      expect(report.decoded).toEqual([{ file: 'opening.txt', encoding: 'windows-1252' }]);
      const answer = answerFrom(await app.knowledge.engines.get(db, agent.id), 'when is the workshop open?');
      expect(answer.text).toContain('Opening hours – café and workshop');
    } finally {
      rmSync(legacy, { recursive: true, force: true });
    }
  });

  it('reads PDFs in a worker with a deadline: a file that takes too long is refused, and the server goes on', async () => {
    const path = join(dir, 'slow.pdf');
    await writePdf(path, ['A page of text']);
    const bytes = new Uint8Array(readFileSync(path));
    await expect(pdfToText(bytes, { timeoutMs: 1 })).rejects.toThrow(/took longer than/);
    // The same file within the normal deadline reads, and reading it again is independent of the refused attempt.
    await expect(pdfToText(bytes)).resolves.toMatch(/A page of text/);
    await expect(pdfToText(new TextEncoder().encode('%PDF-1.7 not really'))).rejects.toThrow();
  });
});

describe('escalate.txt', () => {
  it('adds questions that go to a person after the entries; listed ones stay, an entry phrasing is skipped with why', async () => {
    const agent = await agentCreator(app, 'test', { kind: 'support', name: 'escalate-import' });
    const folder = mkdtempSync(join(dir, 'escalate-'));
    // Sorted by name, escalate.txt comes before faq.json: it is imported last all the same.
    writeFileSync(
      join(folder, 'escalate.txt'),
      '# questions a person takes\nDo you repair cars?\n\n  Do you sell scooters?  \nwhen are you open\n',
    );
    writeFileSync(
      join(folder, 'faq.json'),
      JSON.stringify([
        { title: 'Opening hours', answer: 'Nine to five.', phrasings: ['When are you open?'] },
      ]),
    );
    const first = await kbImporter(app, 'test', agent.id, folder);
    expect(first).toMatchObject({
      faqCreated: 1,
      escalateAdded: 2,
      escalateUnchanged: 0,
      articlesChanged: 0,
    });
    expect(first.skipped).toEqual([
      {
        file: expect.stringMatching(/escalate\.txt: when are you open$/),
        reason: expect.stringMatching(/phrasing of the entry “Opening hours”/),
      },
    ]);
    expect((await listEscalateQuestions(db, agent.id)).map((q) => q.text).sort()).toEqual([
      'Do you repair cars?',
      'Do you sell scooters?',
    ]);
    const again = await kbImporter(app, 'test', agent.id, folder);
    expect(again).toMatchObject({ faqCreated: 0, escalateAdded: 0, escalateUnchanged: 2 });
  });
});
