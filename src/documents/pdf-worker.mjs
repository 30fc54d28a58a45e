// Reads a PDF's text off the main thread (see pdfToText in chunk.ts): a hostile or broken file can take long or use
// much memory, and here it costs this worker, which is terminated at the deadline, instead of the server.
import { parentPort, workerData } from 'node:worker_threads';
import { extractText, getDocumentProxy } from 'unpdf';

const { data, maxPages } = workerData;
try {
  // Verbosity 0: errors only (pdf.js otherwise prints warnings about damaged files to stderr); they are thrown.
  const pdf = await getDocumentProxy(new Uint8Array(data), { verbosity: 0 });
  if (pdf.numPages > maxPages)
    throw new Error(`it has ${pdf.numPages} pages; at most ${maxPages} are imported`);
  const { text } = await extractText(pdf, { mergePages: false });
  parentPort.postMessage({ ok: true, value: (Array.isArray(text) ? text : [text]).join('\n\n') });
} catch (err) {
  parentPort.postMessage({ ok: false, error: err instanceof Error ? err.message : String(err) });
}
