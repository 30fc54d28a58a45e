// Reading Word documents (DOCX: a ZIP of XML parts) into text with mammoth, in a worker thread with a deadline and a
// heap limit. Before a byte is decompressed, the ZIP's central directory is read (fflate, no inflation) and a file
// that would expand past the limits (a zip bomb), or that is not a Word document at all, is refused. A ZIP whose
// directory lies about its sizes still only costs the worker, which dies at its heap limit.
import { unzipSync } from 'fflate';
import { runWorker } from './worker.ts';

/** What a DOCX may expand to, in all and in entries; Word files of real resumes are far below both. */
export const DOCX_LIMITS = {
  maxUncompressedBytes: 50 * 1024 * 1024,
  maxEntries: 2000,
  maxRatio: 200,
} as const;
const DOCX_TIMEOUT_MS = 20_000;
const DOCX_HEAP_MB = 256;

export class DocxRefused extends Error {
  override name = 'DocxRefused';
}

const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
export const isZip = (data: Uint8Array): boolean =>
  Buffer.from(data.buffer, data.byteOffset, 4).equals(ZIP_MAGIC);

/** The ZIP's entries as its central directory declares them (nothing is inflated). Throws DocxRefused. */
export function docxEntries(data: Uint8Array): { name: string; size: number; originalSize: number }[] {
  const entries: { name: string; size: number; originalSize: number }[] = [];
  try {
    unzipSync(data, {
      filter: (f) => {
        entries.push({ name: f.name, size: f.size, originalSize: f.originalSize });
        return false;
      },
    });
  } catch (err) {
    throw new DocxRefused(
      `the file is not a readable ZIP: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  return entries;
}

/** Checks the declared sizes (the zip-bomb guard) and that it is a Word document. Throws DocxRefused. */
export function checkDocx(data: Uint8Array): void {
  if (!isZip(data)) throw new DocxRefused('the file is not a DOCX (no ZIP header)');
  const entries = docxEntries(data);
  if (entries.length > DOCX_LIMITS.maxEntries)
    throw new DocxRefused(`the archive has ${entries.length} entries (at most ${DOCX_LIMITS.maxEntries})`);
  const total = entries.reduce((s, e) => s + e.originalSize, 0);
  if (total > DOCX_LIMITS.maxUncompressedBytes)
    throw new DocxRefused(
      `the archive expands to ${Math.round(total / 1024 / 1024)} MiB (at most ${DOCX_LIMITS.maxUncompressedBytes / 1024 / 1024} MiB)`,
    );
  const bomb = entries.find(
    (e) => e.originalSize > 1024 * 1024 && e.originalSize > e.size * DOCX_LIMITS.maxRatio,
  );
  if (bomb)
    throw new DocxRefused(`the archive entry ${bomb.name.slice(0, 80)} is compressed suspiciously well`);
  if (!entries.some((e) => e.name === 'word/document.xml'))
    throw new DocxRefused('the archive is not a Word document (no word/document.xml)');
}

/** The text of a DOCX. Throws DocxRefused (the guard) or an Error saying why it could not be read. */
export async function docxToText(data: Uint8Array, options: { timeoutMs?: number } = {}): Promise<string> {
  checkDocx(data);
  const timeoutMs = options.timeoutMs ?? DOCX_TIMEOUT_MS;
  const copy = data.slice();
  const text = await runWorker<string>(new URL('./docx-worker.mjs', import.meta.url), {
    workerData: { data: copy },
    transferList: [copy.buffer],
    resourceLimits: { maxOldGenerationSizeMb: DOCX_HEAP_MB },
    timeoutMs,
    failed: (message) => new Error(message ?? 'unreadable'),
    crashed: (err) =>
      new Error(
        (err as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? `reading it needed more than ${DOCX_HEAP_MB} MB`
          : err.message,
      ),
    exited: (code) => new Error(`the reader stopped (exit code ${code})`),
    timedOut: () => new Error(`reading it took longer than ${Math.round(timeoutMs / 1000)} s`),
  });
  return (text ?? '').replaceAll('\u0000', '');
}
