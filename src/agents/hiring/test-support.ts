// Test kit for the hiring agent: a hiring agent with an open job, resumes as real PDFs (pdf-lib) and DOCX files
// (a minimal Word package zipped with fflate), and multipart bodies as a browser sends them. Not used by the product.
import { randomUUID } from 'node:crypto';
import { makePdf } from '../../../test/support/pdf.ts';
import type { Services } from '../../context.ts';
import { agentCreator } from '../../runtime/agents.ts';
import type { AgentConfig } from '../../runtime/types.ts';
import { type Job, jobCreator } from './jobs.ts';
import { HIRING } from './routes/dashboard.ts';

export const BACKEND_JOB = {
  title: 'Backend Engineer',
  description: 'Must have: 5+ years of experience, TypeScript, PostgreSQL. Nice to have: Docker and AWS.',
};

export const STRONG_RESUME = [
  'Jane Doe',
  'jane.doe@example.com  +44 7700 900123',
  'Experience',
  'Senior Engineer, Acme Ltd, 2016 - 2024',
  'Built TypeScript services on PostgreSQL; ran them in Docker on AWS.',
];
export const WEAK_RESUME = ['Sam Smith', 'sam@example.com', 'Barista, Cafe Uno, 2022 - 2024', 'Latte art.'];

export async function hiringAgentWithJob(
  svc: Services & { kindSettings?: unknown },
  job: { title: string; description: string } = BACKEND_JOB,
): Promise<{ agent: AgentConfig; job: Job }> {
  const agent = await agentCreator(svc as never, 'test', {
    kind: HIRING,
    name: `careers-${randomUUID().slice(0, 8)}`,
    displayName: 'Acme Robotics',
  });
  const created = await jobCreator(svc, 'test', agent.id, { ...job, status: 'open' });
  return { agent, job: created };
}

export const resumePdf = (lines: string[] = STRONG_RESUME) => makePdf(lines);

export { makeDocx } from '../../../test/support/docx.ts';

/** A multipart/form-data body as a browser sends it. */
export function multipart(
  fields: Record<string, string>,
  files: { field: string; name: string; type?: string; bytes: Buffer }[] = [],
  boundary = `----twelve${randomUUID().replaceAll('-', '')}`,
): { body: Buffer; contentType: string } {
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields))
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  for (const f of files) {
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${f.field}"; filename="${f.name}"\r\nContent-Type: ${f.type ?? 'application/octet-stream'}\r\n\r\n`,
      ),
      f.bytes,
      Buffer.from('\r\n'),
    );
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}
