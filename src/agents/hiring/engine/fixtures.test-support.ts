// Shared test material: one job description and resumes written for it (genuine, near-miss, hostile).
export const BACKEND_JOB = `Senior Backend Engineer
We're looking for a backend engineer to build our payments platform.
Requirements:
- 5+ years of professional experience
- 3+ years of TypeScript
- PostgreSQL and Redis in production
- Experience with AWS and Docker
- Bachelor's degree in Computer Science or equivalent experience
Nice to have:
- Kubernetes
- Kafka
- Spanish speaking is a plus`;

/** A strong resume; {NAME}, {PRONOUN}, {ADDRESS} are filled per variant. */
export const STRONG_TEMPLATE = `{NAME}
{EMAIL} | {PHONE} | {ADDRESS}
linkedin.com/in/{HANDLE}
Summary
Backend engineer who likes boring, reliable systems. {PRONOUN} {STATUS}.
Experience
Senior Software Engineer, Acme Payments — Jan 2019 – Present
- Built the ledger service in TypeScript on Node.js, backed by Postgres and Redis.
- Moved our deployment to Docker containers on AWS ECS; cut costs by 30%.
Software Engineer, Globex — 03/2015 – 12/2018
- Wrote TypeScript and Python services and maintained a MySQL database.
Education
BSc Computer Science, University of Leeds, 2011 - 2014
Skills: Kubernetes, Kafka, Terraform
Languages: Spanish (fluent), English`;

export function fill(template: string, v: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_m, k: string) => v[k] ?? '');
}

export const VARIANT_A = {
  NAME: 'Jane Doe',
  EMAIL: 'jane.doe@example.com',
  PHONE: '+44 7700 900123',
  ADDRESS: '42 Baker Street, London NW1 6XE',
  HANDLE: 'janedoe',
  PRONOUN: 'She',
  STATUS: 'is married with two children',
};
export const VARIANT_B = {
  NAME: 'Mohammed Al-Rashid',
  EMAIL: 'm.alrashid@mail.example.org',
  PHONE: '(555) 201-7788',
  ADDRESS: '1200 Elm Avenue, Springfield, IL 62704',
  HANDLE: 'mohammed-al-rashid-77',
  PRONOUN: 'He',
  STATUS: 'is single',
};
export const VARIANT_C = {
  NAME: 'Zoë Müller-Schmidt',
  EMAIL: 'zoe@mueller.example.de',
  PHONE: '+49 30 1234 5678',
  ADDRESS: 'Address: Torstraße 12, 10115 Berlin',
  HANDLE: 'zmueller',
  PRONOUN: 'They',
  STATUS: 'are divorced',
};

export const NEAR_MISS = `Alex Kim
Frontend Developer
Experience
Frontend Developer, Shopco — 2023 - Present
- Built React and TypeScript user interfaces for the checkout.
- Worked with the backend team, who ran PostgreSQL on AWS.
Education
BA Graphic Design, 2016 - 2019`;
