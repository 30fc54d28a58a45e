// multipart/form-data bodies (the career page's application form, a recruiter's bulk upload) parsed from the bytes
// the route pipeline received (server/http.ts upload routes: size-limited, caller checked first) with busboy.
import { Busboy } from '@fastify/busboy';
import { AppError } from '../../errors.ts';

export interface FormFile {
  field: string;
  name: string;
  bytes: Buffer;
  /** The file was larger than maxFileBytes: bytes holds its first maxFileBytes only. */
  truncated: boolean;
}

export interface ParsedForm {
  fields: Record<string, string>;
  files: FormFile[];
}

export function parseForm(
  body: Buffer,
  contentType: string,
  limits: { maxFileBytes: number; maxFiles: number; maxFields?: number },
): Promise<ParsedForm> {
  return new Promise((resolve, reject) => {
    let bb: ReturnType<typeof Busboy>;
    try {
      bb = Busboy({
        headers: { 'content-type': contentType },
        limits: {
          fileSize: limits.maxFileBytes,
          files: limits.maxFiles,
          fields: limits.maxFields ?? 20,
          fieldSize: 10_000,
        },
      });
    } catch (err) {
      reject(new AppError('validation_failed', `the form could not be read: ${(err as Error).message}`));
      return;
    }
    const fields: Record<string, string> = {};
    const files: FormFile[] = [];
    const reading: Promise<void>[] = [];
    bb.on('field', (name, value) => {
      if (!(name in fields)) fields[name] = value;
    });
    bb.on('file', (field, stream, filename) => {
      const chunks: Buffer[] = [];
      reading.push(
        new Promise((done, fail) => {
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('error', fail);
          stream.on('end', () => {
            files.push({
              field,
              name: filename || 'resume',
              bytes: Buffer.concat(chunks),
              truncated: stream.truncated,
            });
            done();
          });
        }),
      );
    });
    bb.on('error', (err) =>
      reject(
        new AppError(
          'validation_failed',
          `the form could not be read: ${err instanceof Error ? err.message : String(err)}`,
        ),
      ),
    );
    bb.on('finish', () => {
      Promise.all(reading).then(() => resolve({ fields, files }), reject);
    });
    bb.end(body);
  });
}
