// The career page in the browser: the open jobs of one company (/careers/:agent), or one job with its application
// form (/careers/:agent/jobs/:jobId). It reads and writes only the public API (/api/public/careers/:agent…).
// Accessible by construction: every control has a <label>, errors are listed in an alert region and tied to their
// fields (aria-invalid, aria-describedby), focus moves to what changed, and the upload reports its progress in a
// labelled <progress>. DOM is built with el(); nothing assigns innerHTML, so job text and names stay text.
import { el } from './dom.ts';

interface JobSummary {
  id: string;
  title: string;
  location: string | null;
  employment: string | null;
  excerpt: string;
}
interface JobDetail {
  id: string;
  title: string;
  description: string;
  location: string | null;
  employment: string | null;
  notice: string;
}
interface Submitted {
  applicationId: string;
  reference: string;
  selfIdToken: string;
}
interface ApiFailure {
  status: number;
  id: string;
  message: string;
  details?: unknown;
}

/** The limits the server enforces (hiring-api: PDF or DOCX, ≤ 10 MB), checked here first to save an upload. */
export const MAX_BYTES = 10 * 1024 * 1024;
const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
const ACCEPT = `.pdf,.docx,application/pdf,${DOCX}`;

const main = document.getElementById('main') as HTMLElement;
const agent = main.dataset.agent ?? '';
const jobId = main.dataset.job ?? null;
const embed = main.dataset.embed === '1';
const base = `/api/public/careers/${encodeURIComponent(agent)}`;

/** What a candidate reads for each error id of the public API. */
const NETWORK = 'The connection failed. Check your connection and try again.';
const MESSAGES: Record<string, string> = {
  file_type_unsupported: 'The resume must be a PDF or a Word (.docx) file.',
  file_too_large: 'The resume is larger than 10 MB. Please send a smaller file.',
  file_unreadable:
    'We could not read your resume (it may be damaged, encrypted or a scan). Your application is kept and a person will look at it.',
  consent_required: 'Please tick the box to agree to how we process your application.',
  job_not_open: 'This job is no longer open for applications.',
  rate_limited: 'Too many attempts. Please wait a minute and try again.',
  network_error: NETWORK,
};

function announce(text: string): void {
  const a = document.getElementById('announcer');
  if (!a) return;
  a.textContent = '';
  // A fresh text node after a tick, so screen readers read the same sentence twice in a row.
  setTimeout(() => {
    a.textContent = text;
  }, 50);
}

function fail(status: number, text: string): ApiFailure {
  try {
    const e = (JSON.parse(text) as { error?: { id?: string; message?: string; details?: unknown } }).error;
    if (e?.id) return { status, id: e.id, message: e.message ?? '', details: e.details };
  } catch {
    // not JSON: fall through
  }
  return { status, id: `http_${status}`, message: `The server answered ${status}.` };
}

async function getJson<T>(path: string): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, { headers: { accept: 'application/json' } });
  } catch {
    throw { status: 0, id: 'network_error', message: NETWORK } satisfies ApiFailure;
  }
  const text = await res.text();
  if (!res.ok) throw fail(res.status, text);
  return JSON.parse(text) as T;
}

async function postJson(path: string, body: unknown): Promise<void> {
  let res: Response;
  try {
    res = await fetch(path, {
      method: 'POST',
      headers: { accept: 'application/json', 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  } catch {
    throw { status: 0, id: 'network_error', message: NETWORK } satisfies ApiFailure;
  }
  if (!res.ok) throw fail(res.status, await res.text());
}

/** A multipart POST through XMLHttpRequest: fetch cannot report how much of a request body has been sent. */
function postForm<T>(path: string, data: FormData, onProgress: (fraction: number) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    xhr.setRequestHeader('accept', 'application/json');
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && e.total > 0) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        try {
          resolve(JSON.parse(xhr.responseText) as T);
        } catch {
          reject(fail(xhr.status, ''));
        }
      } else reject(fail(xhr.status, xhr.responseText));
    };
    xhr.onerror = () => reject({ status: 0, id: 'network_error', message: NETWORK });
    xhr.send(data);
  });
}

function messageOf(e: unknown): string {
  const f = e as Partial<ApiFailure>;
  if (f?.id && MESSAGES[f.id]) return MESSAGES[f.id]!;
  if (f?.id === 'not_found') return 'This page does not exist, or the job is no longer posted.';
  const m = (f?.message ?? '').trim();
  return m
    ? `${m.charAt(0).toUpperCase()}${m.slice(1)}${/[.!?]$/.test(m) ? '' : '.'}`
    : 'Something went wrong.';
}

function jobHref(id: string): string {
  return `/careers/${encodeURIComponent(agent)}/jobs/${encodeURIComponent(id)}${embed ? '?embed=1' : ''}`;
}

function listHref(): string {
  return `/careers/${encodeURIComponent(agent)}${embed ? '?embed=1' : ''}`;
}

function setCompany(name: string): void {
  const site = document.getElementById('site-name');
  if (site) site.textContent = `${name} careers`;
}

function meta(job: { location: string | null; employment: string | null }): string {
  return [job.location, job.employment].filter(Boolean).join(' · ');
}

function showError(e: unknown): void {
  main.replaceChildren(
    el('h1', {}, 'Career page unavailable'),
    el('p', { class: 'error', role: 'alert' }, messageOf(e)),
  );
  document.title = 'Career page unavailable';
}

// ---- The list of open jobs ----------------------------------------------------------------------------------

async function showList(): Promise<void> {
  const data = await getJson<{ company: string; jobs: JobSummary[] }>(base);
  setCompany(data.company);
  document.title = `Jobs at ${data.company}`;
  const heading = el('h1', {}, `Jobs at ${data.company}`);
  if (data.jobs.length === 0) {
    main.replaceChildren(heading, el('p', {}, 'There are no open jobs right now. Please check back later.'));
    return;
  }
  const list = el('ul', { class: 'jobs', 'aria-label': 'Open jobs' });
  for (const j of data.jobs) {
    const where = meta(j);
    list.append(
      el(
        'li',
        {},
        el('h2', {}, el('a', { href: jobHref(j.id) }, j.title)),
        ...(where ? [el('p', { class: 'meta' }, where)] : []),
        ...(j.excerpt ? [el('p', { class: 'excerpt' }, j.excerpt)] : []),
      ),
    );
  }
  main.replaceChildren(
    heading,
    el('p', { class: 'count' }, `${data.jobs.length} open ${data.jobs.length === 1 ? 'job' : 'jobs'}`),
    list,
  );
}

// ---- One job and its application form ------------------------------------------------------------------------

/** A labelled field with a hint and an error slot, wired with aria-describedby. */
function field(
  id: string,
  label: string,
  control: HTMLInputElement,
  hint?: string,
): { wrap: HTMLElement; setError: (msg: string | null) => void } {
  control.id = id;
  const hintEl = hint ? el('p', { class: 'hint', id: `${id}-hint` }, hint) : null;
  const errEl = el('p', { class: 'field-error', id: `${id}-error`, hidden: '' });
  const describe = (withError: boolean) => {
    const ids = [hintEl ? `${id}-hint` : '', withError ? `${id}-error` : ''].filter(Boolean).join(' ');
    if (ids) control.setAttribute('aria-describedby', ids);
    else control.removeAttribute('aria-describedby');
  };
  describe(false);
  const wrap = el('div', { class: 'field' }, el('label', { for: id }, label), control);
  if (hintEl) wrap.append(hintEl);
  wrap.append(errEl);
  return {
    wrap,
    setError(msg) {
      errEl.textContent = msg ?? '';
      errEl.hidden = !msg;
      wrap.classList.toggle('invalid', Boolean(msg));
      if (msg) control.setAttribute('aria-invalid', 'true');
      else control.removeAttribute('aria-invalid');
      describe(Boolean(msg));
    },
  };
}

function input(attrs: Record<string, string>): HTMLInputElement {
  return el('input', attrs);
}

/** Why a chosen file cannot be sent, or null when it can. */
export function fileProblem(file: File | undefined): string | null {
  if (!file) return 'Please choose your resume (PDF or Word .docx).';
  const name = file.name.toLowerCase();
  const okType = name.endsWith('.pdf') || name.endsWith('.docx');
  if (!okType) return MESSAGES.file_type_unsupported!;
  if (file.size > MAX_BYTES) return MESSAGES.file_too_large!;
  if (file.size === 0) return 'The file is empty. Please choose your resume again.';
  return null;
}

async function showJob(id: string): Promise<void> {
  const [job, company] = await Promise.all([
    getJson<JobDetail>(`${base}/jobs/${encodeURIComponent(id)}`),
    getJson<{ company: string }>(base).catch(() => null),
  ]);
  if (company) setCompany(company.company);
  document.title = company ? `${job.title} at ${company.company}` : job.title;
  const where = meta(job);
  const description = el('div', { class: 'description' });
  for (const para of job.description.split(/\n{2,}/)) {
    if (para.trim()) description.append(el('p', {}, para.trim()));
  }
  const formSection = el('section', { class: 'apply', 'aria-labelledby': 'apply-title' });
  main.replaceChildren(
    el('p', { class: 'back' }, el('a', { href: listHref() }, 'All jobs')),
    el('h1', {}, job.title),
    ...(where ? [el('p', { class: 'meta' }, where)] : []),
    description,
    formSection,
  );
  renderForm(formSection, job);
}

function renderForm(section: HTMLElement, job: JobDetail): void {
  const name = field('name', 'Full name', input({ name: 'name', autocomplete: 'name', required: '' }));
  const email = field(
    'email',
    'Email',
    input({ name: 'email', type: 'email', autocomplete: 'email', required: '' }),
    'We send the confirmation and any news about your application here.',
  );
  const phone = field(
    'phone',
    'Phone (optional)',
    input({ name: 'phone', type: 'tel', autocomplete: 'tel' }),
  );
  const fileInput = input({ name: 'resume', type: 'file', accept: ACCEPT, required: '' });
  const resume = field('resume', 'Resume', fileInput, 'PDF or Word (.docx), up to 10 MB.');
  const consentBox = input({ name: 'consent', type: 'checkbox', value: 'yes', id: 'consent', required: '' });
  const consentErr = el('p', { class: 'field-error', id: 'consent-error', hidden: '' });
  const consent = el(
    'div',
    { class: 'field check' },
    consentBox,
    el(
      'label',
      { for: 'consent' },
      'I agree that my application and resume are processed to consider me for this job, with the help of AI as described above.',
    ),
    consentErr,
  );
  const setConsentError = (msg: string | null) => {
    consentErr.textContent = msg ?? '';
    consentErr.hidden = !msg;
    if (msg) {
      consentBox.setAttribute('aria-invalid', 'true');
      consentBox.setAttribute('aria-describedby', 'consent-error');
    } else {
      consentBox.removeAttribute('aria-invalid');
      consentBox.removeAttribute('aria-describedby');
    }
  };
  const errors = el('div', { class: 'errors', role: 'alert', id: 'form-errors', tabindex: '-1', hidden: '' });
  const progress = el('progress', { id: 'upload-progress', max: '100', value: '0' });
  const progressText = el('span', { class: 'progress-text', 'aria-hidden': 'true' }, '0%');
  const progressWrap = el(
    'div',
    { class: 'progress', hidden: '' },
    el('label', { for: 'upload-progress' }, 'Uploading your resume'),
    progress,
    progressText,
  );
  const submit = el('button', { type: 'submit', class: 'primary' }, 'Send application');
  const form = el(
    'form',
    { novalidate: '', 'aria-labelledby': 'apply-title' },
    errors,
    name.wrap,
    email.wrap,
    phone.wrap,
    resume.wrap,
    el(
      'div',
      { class: 'notice', id: 'ai-notice' },
      el('h3', {}, 'How we review applications'),
      ...paragraphs(job.notice),
    ),
    consent,
    progressWrap,
    submit,
  );
  section.replaceChildren(el('h2', { id: 'apply-title' }, 'Apply for this job'), form);

  fileInput.addEventListener('change', () => {
    const problem = fileInput.files?.[0] ? fileProblem(fileInput.files[0]) : null;
    resume.setError(problem);
    if (problem) announce(problem);
  });

  const showErrors = (list: { focus: HTMLElement; message: string }[]) => {
    errors.replaceChildren(
      el('p', {}, list.length === 1 ? 'Please fix this:' : `Please fix these ${list.length} things:`),
      el('ul', {}, ...list.map((e) => el('li', {}, e.message))),
    );
    errors.hidden = false;
    list[0]?.focus.focus();
  };

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const problems: { focus: HTMLElement; message: string }[] = [];
    const check = (ok: boolean, set: (m: string | null) => void, focus: HTMLElement, message: string) => {
      set(ok ? null : message);
      if (!ok) problems.push({ focus, message });
    };
    const nameEl = name.wrap.querySelector('input')!;
    const emailEl = email.wrap.querySelector('input')!;
    check(nameEl.value.trim().length > 0, name.setError, nameEl, 'Please enter your name.');
    check(
      /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(emailEl.value.trim()),
      email.setError,
      emailEl,
      'Please enter an email address like name@example.com.',
    );
    const problem = fileProblem(fileInput.files?.[0]);
    check(problem === null, resume.setError, fileInput, problem ?? '');
    check(consentBox.checked, setConsentError, consentBox, MESSAGES.consent_required!);
    if (problems.length) {
      showErrors(problems);
      return;
    }
    errors.hidden = true;
    const data = new FormData(form);
    data.set('name', nameEl.value.trim());
    data.set('email', emailEl.value.trim());
    data.set('consent', 'yes');
    submit.disabled = true;
    submit.textContent = 'Sending…';
    progressWrap.hidden = false;
    let lastSaid = 0;
    try {
      const done = await postForm<Submitted>(
        `${base}/jobs/${encodeURIComponent(job.id)}/applications`,
        data,
        (f) => {
          const pct = Math.round(f * 100);
          progress.value = pct;
          progressText.textContent = `${pct}%`;
          // Say it at quarters, not at every event, so a screen reader is not flooded.
          if (pct >= lastSaid + 25) {
            lastSaid = pct - (pct % 25);
            announce(`Uploaded ${lastSaid}%`);
          }
        },
      );
      showSubmitted(section, job, done);
    } catch (e) {
      progressWrap.hidden = true;
      const kept = keptApplication(e);
      if (kept) {
        // A file problem keeps the application for a person to read: the candidate still gets the reference.
        showSubmitted(section, job, kept, messageOf(e));
        return;
      }
      submit.disabled = false;
      submit.textContent = 'Send application';
      const f = e as ApiFailure;
      const fileIds = ['file_type_unsupported', 'file_too_large', 'file_unreadable'];
      if (fileIds.includes(f.id)) resume.setError(messageOf(e));
      if (f.id === 'consent_required') setConsentError(messageOf(e));
      const fields = fieldDetails(f.details);
      for (const [k, m] of Object.entries(fields)) {
        if (k === 'name') name.setError(m);
        if (k === 'email') email.setError(m);
        if (k === 'phone') phone.setError(m);
      }
      const focus = fileIds.includes(f.id)
        ? fileInput
        : f.id === 'consent_required'
          ? consentBox
          : (form.querySelector<HTMLElement>('[aria-invalid="true"]') ?? errors);
      showErrors([{ focus, message: messageOf(e) }]);
    }
  });
}

/** A file error that kept the application carries its reference and self-identification token. */
function keptApplication(e: unknown): Submitted | null {
  const d = (e as Partial<ApiFailure>)?.details as Partial<Submitted> | undefined;
  return d &&
    typeof d.reference === 'string' &&
    typeof d.selfIdToken === 'string' &&
    typeof d.applicationId === 'string'
    ? { applicationId: d.applicationId, reference: d.reference, selfIdToken: d.selfIdToken }
    : null;
}

/** Validation details `[{path: 'body.email', message}]` as field → message. */
function fieldDetails(details: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!Array.isArray(details)) return out;
  for (const d of details as { path?: unknown; message?: unknown }[]) {
    const path = Array.isArray(d?.path) ? d.path.join('.') : typeof d?.path === 'string' ? d.path : '';
    const key = path.replace(/^body\./, '').split('.')[0] ?? '';
    if (key && typeof d.message === 'string' && !out[key]) out[key] = d.message;
  }
  return out;
}

function paragraphs(text: string): HTMLElement[] {
  return text
    .split(/\n{2,}|\n/)
    .map((t) => t.trim())
    .filter(Boolean)
    .map((t) => el('p', {}, t));
}

// ---- After sending: the reference, a human review, and the voluntary self-identification ---------------------

/** The voluntary questions (hiring-api: gender, ethnicity, disability, veteran, age_band), each optional. */
export const SELF_ID: { key: string; label: string; options: [string, string][] }[] = [
  {
    key: 'gender',
    label: 'Gender',
    options: [
      ['woman', 'Woman'],
      ['man', 'Man'],
      ['non_binary', 'Non-binary'],
      ['self_described', 'I describe myself another way'],
    ],
  },
  {
    key: 'ethnicity',
    label: 'Ethnicity',
    options: [
      ['asian', 'Asian'],
      ['black', 'Black'],
      ['hispanic', 'Hispanic or Latino'],
      ['middle_eastern', 'Middle Eastern or North African'],
      ['white', 'White'],
      ['mixed', 'Mixed or multiple'],
      ['other', 'Another group'],
    ],
  },
  {
    key: 'disability',
    label: 'Do you have a disability?',
    options: [
      ['yes', 'Yes'],
      ['no', 'No'],
    ],
  },
  {
    key: 'veteran',
    label: 'Are you a veteran?',
    options: [
      ['yes', 'Yes'],
      ['no', 'No'],
    ],
  },
  {
    key: 'age_band',
    label: 'Age',
    options: [
      ['under_25', 'Under 25'],
      ['25_39', '25 to 39'],
      ['40_54', '40 to 54'],
      ['55_plus', '55 or over'],
    ],
  },
];

function showSubmitted(section: HTMLElement, job: JobDetail, done: Submitted, problem?: string): void {
  const heading = el('h2', { id: 'apply-title', tabindex: '-1' }, 'Application sent');
  const warning = problem ? [el('p', { class: 'errors', role: 'alert' }, problem)] : [];
  const selfId = el('section', { class: 'self-id', 'aria-labelledby': 'self-id-title' });
  section.replaceChildren(
    heading,
    ...warning,
    el(
      'p',
      { class: 'confirmation', role: 'status' },
      'Thank you. We received your application for ',
      el('strong', {}, job.title),
      '. Your reference is ',
      el('strong', { class: 'reference', 'data-reference': done.reference }, done.reference),
      '. Keep it: you need it to ask for a person to review your application.',
    ),
    reviewRequest(done.reference),
    selfId,
  );
  renderSelfId(selfId, done.selfIdToken);
  heading.focus();
  announce(`Application sent. Your reference is ${done.reference}.${problem ? ` ${problem}` : ''}`);
}

function reviewRequest(reference: string): HTMLElement {
  const email = input({
    name: 'email',
    type: 'email',
    id: 'review-email',
    autocomplete: 'email',
    required: '',
  });
  const note = el('textarea', { name: 'note', id: 'review-note', rows: '3', maxlength: '2000' });
  const status = el('p', { class: 'form-status', role: 'status' });
  const button = el('button', { type: 'submit' }, 'Ask for a human review');
  const form = el(
    'form',
    { novalidate: '' },
    el('p', {}, 'You can ask for a person, not the AI, to review your application at any time.'),
    el('div', { class: 'field' }, el('label', { for: 'review-email' }, 'Email you applied with'), email),
    el(
      'div',
      { class: 'field' },
      el('label', { for: 'review-note' }, 'Anything we should know (optional)'),
      note,
    ),
    button,
    status,
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!email.value.trim()) {
      status.textContent = 'Please enter the email you applied with.';
      email.setAttribute('aria-invalid', 'true');
      email.focus();
      return;
    }
    email.removeAttribute('aria-invalid');
    button.disabled = true;
    try {
      await postJson(`${base}/review-request`, {
        reference,
        email: email.value.trim(),
        ...(note.value.trim() ? { note: note.value.trim() } : {}),
      });
      form.replaceChildren(
        el('p', { role: 'status' }, 'Thank you. A person will review your application and get back to you.'),
      );
    } catch (e) {
      button.disabled = false;
      status.textContent = messageOf(e);
    }
  });
  return el('details', { class: 'review' }, el('summary', {}, 'Ask for a human review'), form);
}

function renderSelfId(section: HTMLElement, token: string): void {
  const status = el('p', { class: 'form-status', role: 'status' });
  const fields = SELF_ID.map((q) => {
    const select = el(
      'select',
      { id: `self-${q.key}`, name: q.key },
      el('option', { value: '' }, 'Prefer not to say'),
      ...q.options.map(([value, label]) => el('option', { value }, label)),
    );
    return el('div', { class: 'field' }, el('label', { for: `self-${q.key}` }, q.label), select);
  });
  const send = el('button', { type: 'submit' }, 'Send answers');
  const form = el('form', { novalidate: '' }, ...fields, send, status);
  section.replaceChildren(
    el('h2', { id: 'self-id-title' }, 'Voluntary self-identification (optional)'),
    el(
      'p',
      {},
      'These questions are optional and separate from your application. Your answers are never used in scoring or seen by the people who decide; they are kept apart and only counted, in groups, to check that our hiring treats everyone fairly. You can skip them.',
    ),
    form,
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const answers: Record<string, string> = {};
    for (const q of SELF_ID) {
      const v = (form.elements.namedItem(q.key) as HTMLSelectElement).value;
      if (v) answers[q.key] = v;
    }
    send.disabled = true;
    try {
      await postJson(`${base}/self-id`, { token, answers });
      section.replaceChildren(
        el('h2', { id: 'self-id-title' }, 'Voluntary self-identification (optional)'),
        el('p', { role: 'status' }, 'Thank you. Your answers were saved separately from your application.'),
      );
    } catch (e) {
      send.disabled = false;
      status.textContent = messageOf(e);
    }
  });
}

// ---- A phone-screen invitation: pick a time, or ask for a person ----------------------------------------------

interface ScreenSlot {
  start: string;
  day: string;
  time: string;
}
interface ScreenInvitation {
  company: string;
  job: string;
  firstName: string;
  phone: string;
  status: 'sent' | 'booked' | 'person_requested' | 'cancelled';
  expiresAt: string;
  timezone: string;
  durationMin: number;
  booked: { start: string; local: string } | null;
  slots: ScreenSlot[];
}

async function postFor<T>(path: string, body: unknown): Promise<T | null> {
  let res: Response;
  try {
    res = await fetch(path, {
      method: 'POST',
      headers: { accept: 'application/json', 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  } catch {
    throw { status: 0, id: 'network_error', message: NETWORK } satisfies ApiFailure;
  }
  const text = await res.text();
  if (!res.ok) throw fail(res.status, text);
  return text ? (JSON.parse(text) as T) : null;
}

const SCREEN_MESSAGES: Record<string, string> = {
  invitation_invalid: 'This invitation link is not valid. Please use the link from your latest email.',
  invitation_expired: 'This invitation has expired. Please contact the company for a new one.',
  slot_taken: 'Someone has just taken that time. Please choose another one.',
  slot_unavailable: 'That time can no longer be booked. Please choose another one.',
};
const screenMessage = (e: unknown) => SCREEN_MESSAGES[(e as ApiFailure)?.id ?? ''] ?? messageOf(e);

/** The token from the link's fragment (#…): browsers never send it to a server. */
function screenToken(): string {
  return decodeURIComponent(location.hash.replace(/^#/, '')).trim();
}

async function showScreen(): Promise<void> {
  const token = screenToken();
  if (!token) {
    showScreenProblem(SCREEN_MESSAGES.invitation_invalid!);
    return;
  }
  let inv: ScreenInvitation;
  try {
    inv = (await postFor<ScreenInvitation>(`${base}/screen`, { token }))!;
  } catch (e) {
    showScreenProblem(screenMessage(e));
    return;
  }
  setCompany(inv.company);
  document.title = `Phone screen: ${inv.job} at ${inv.company}`;
  const heading = el('h1', { tabindex: '-1' }, `Phone screen for ${inv.job}`);
  const notice = el(
    'div',
    { class: 'notice' },
    el('strong', {}, 'About this call'),
    el(
      'p',
      {},
      `An AI assistant from ${inv.company} will call you and ask a few questions about the job's requirements (about ${inv.durationMin} minutes). ` +
        'The call is transcribed. Your voice, tone and emotions are never assessed, and the AI never rejects anyone: a person reads the transcript and decides. ' +
        'The assistant asks for your consent first, and you can ask for a person at any time.',
    ),
  );
  if (inv.status === 'booked' && inv.booked) {
    main.replaceChildren(
      heading,
      el(
        'p',
        { class: 'confirmation', role: 'status' },
        `Your phone screen is booked for ${inv.booked.local} (${inv.timezone} time). We will call you then.`,
      ),
      notice,
      personSection(token),
    );
    return;
  }
  if (inv.status !== 'sent') {
    main.replaceChildren(
      heading,
      el(
        'p',
        { class: 'confirmation', role: 'status' },
        'A person from the company will contact you. There is nothing more to do here.',
      ),
    );
    return;
  }
  const section = el('section', { class: 'apply', 'aria-labelledby': 'pick-title' });
  main.replaceChildren(heading, notice, section, personSection(token));
  renderSlots(section, inv, token);
}

function showScreenProblem(text: string): void {
  document.title = 'Phone screen';
  main.replaceChildren(el('h1', {}, 'Phone screen'), el('p', { class: 'error', role: 'alert' }, text));
}

function renderSlots(section: HTMLElement, inv: ScreenInvitation, token: string): void {
  const title = el('h2', { id: 'pick-title' }, 'Choose a time');
  if (inv.slots.length === 0) {
    section.replaceChildren(
      title,
      el(
        'p',
        {},
        'There are no free times in the next few days. Please ask for a person below, and the company will contact you.',
      ),
    );
    return;
  }
  const errors = el('div', { class: 'errors', role: 'alert', tabindex: '-1', hidden: '' });
  const form = el('form', { novalidate: '', 'aria-labelledby': 'pick-title' });
  const days = new Map<string, ScreenSlot[]>();
  for (const s of inv.slots) days.set(s.day, [...(days.get(s.day) ?? []), s]);
  let n = 0;
  const groups = el('div', { class: 'slot-days' });
  for (const [day, slots] of days) {
    const fieldset = el('fieldset', { class: 'slots' }, el('legend', {}, day));
    const list = el('div', { class: 'slot-list' });
    for (const s of slots) {
      const id = `slot-${n++}`;
      const radio = input({ type: 'radio', name: 'start', id, value: s.start });
      list.append(el('label', { class: 'slot', for: id }, radio, el('span', {}, s.time)));
    }
    fieldset.append(list);
    groups.append(fieldset);
  }
  const phone = field(
    'screen-phone',
    'Phone number to call',
    input({ name: 'phone', type: 'tel', autocomplete: 'tel', required: '', value: inv.phone }),
    'With the country code, for example +44 7700 900123.',
  );
  const send = el('button', { type: 'submit', class: 'primary' }, 'Book this time');
  const status = el('p', { class: 'form-status', role: 'status' });
  form.append(
    el('p', { class: 'hint', id: 'zone-hint' }, `Times are ${inv.timezone} time.`),
    groups,
    phone.wrap,
    send,
    status,
  );
  section.replaceChildren(title, errors, form);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const chosen = form.querySelector<HTMLInputElement>('input[name="start"]:checked');
    const phoneValue = (form.querySelector<HTMLInputElement>('#screen-phone')?.value ?? '').trim();
    const problems: string[] = [];
    phone.setError(null);
    if (!chosen) problems.push('Please choose a time.');
    if (!/^\+?[0-9 ()-]{5,30}$/.test(phoneValue)) {
      phone.setError('Please enter a phone number, with the country code.');
      problems.push('Please enter a phone number, with the country code.');
    }
    if (problems.length) {
      errors.replaceChildren(
        el('p', {}, 'Please check the form'),
        el('ul', {}, ...problems.map((p) => el('li', {}, p))),
      );
      errors.hidden = false;
      errors.focus();
      return;
    }
    errors.hidden = true;
    send.disabled = true;
    status.textContent = 'Booking…';
    try {
      const booked = await postFor<{ start: string; local: string }>(`${base}/screen/book`, {
        token,
        start: chosen!.value,
        phone: phoneValue,
      });
      section.replaceChildren(
        el('h2', { id: 'pick-title', tabindex: '-1' }, 'Booked'),
        el(
          'p',
          { class: 'confirmation', role: 'status' },
          `Your phone screen is booked for ${booked!.local} (${inv.timezone} time). We will call you then.`,
        ),
      );
      (section.querySelector('h2') as HTMLElement).focus();
      announce(`Your phone screen is booked for ${booked!.local}.`);
    } catch (e) {
      send.disabled = false;
      status.textContent = '';
      errors.replaceChildren(el('p', {}, screenMessage(e)));
      errors.hidden = false;
      errors.focus();
      if ((e as ApiFailure).id === 'slot_taken') {
        chosen!.disabled = true;
        chosen!.checked = false;
      }
    }
  });
}

function personSection(token: string): HTMLElement {
  const section = el('section', { class: 'review', 'aria-labelledby': 'person-title' });
  const button = el('button', { type: 'button' }, 'Ask for a person instead');
  const status = el('p', { class: 'form-status', role: 'status' });
  section.append(
    el('h2', { id: 'person-title' }, 'Prefer a person?'),
    el('p', {}, 'You do not have to talk to an AI. A person from the company will contact you instead.'),
    button,
    status,
  );
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      await postFor(`${base}/screen/person`, { token });
      main.replaceChildren(
        el('h1', { tabindex: '-1' }, 'A person will contact you'),
        el(
          'p',
          { class: 'confirmation', role: 'status' },
          'Thank you. There will be no AI call; a person from the company will contact you.',
        ),
      );
      (main.querySelector('h1') as HTMLElement).focus();
    } catch (e) {
      button.disabled = false;
      status.textContent = screenMessage(e);
    }
  });
  return section;
}

// ---- Start ---------------------------------------------------------------------------------------------------

(main.dataset.view === 'screen' ? showScreen() : jobId ? showJob(jobId) : showList()).catch(showError);
// Another invitation link opened in the same tab changes only the fragment: read it again.
if (main.dataset.view === 'screen')
  window.addEventListener('hashchange', () => showScreen().catch(showError));
