// Reads a DOCX's text off the main thread (see docxToText in docx.ts): mammoth unzips and parses XML, which a hostile
// file can make slow or large; here that costs this worker (deadline, heap limit), not the server.
import { parentPort, workerData } from 'node:worker_threads';
import mammoth from 'mammoth';

const { data } = workerData;
try {
  const { value } = await mammoth.extractRawText({ buffer: Buffer.from(data) });
  parentPort.postMessage({ ok: true, value });
} catch (err) {
  parentPort.postMessage({ ok: false, error: err instanceof Error ? err.message : String(err) });
}
