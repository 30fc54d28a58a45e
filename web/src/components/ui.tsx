// Shared building blocks: badges, times, errors, JSON, page headers and form fields. Everything renders text
// through React, so user and agent content is always escaped.
import { type ReactNode, useEffect, useId, useRef } from 'react';
import { ApiError, errorMessage } from '../api.ts';
import { fullDate, json, relativeTime } from '../format.ts';
import type { Mode, Risk, RunStatus } from '../types.ts';

export type Tone = 'neutral' | 'info' | 'success' | 'warning' | 'danger' | 'accent';

export function Badge({
  tone = 'neutral',
  children,
  title,
}: {
  tone?: Tone;
  children: ReactNode;
  title?: string;
}) {
  return (
    <span className={`badge badge-${tone}`} title={title}>
      {children}
    </span>
  );
}

const MODE_TONE: Record<Mode, Tone> = { production: 'success', pilot: 'warning', shadow: 'neutral' };
export function ModeBadge({ mode, large }: { mode: Mode; large?: boolean }) {
  return (
    <span className={`badge badge-${MODE_TONE[mode]} mode${large ? ' badge-lg' : ''}`} data-mode={mode}>
      {mode}
    </span>
  );
}

const RISK_TONE: Record<Risk, Tone> = {
  read: 'neutral',
  write: 'info',
  destructive: 'danger',
  spend: 'warning',
};
export function RiskBadge({ risk }: { risk: Risk | undefined }) {
  if (!risk) return null;
  return <Badge tone={RISK_TONE[risk]}>{risk}</Badge>;
}

const RUN_TONE: Record<RunStatus, Tone> = {
  running: 'info',
  suspended: 'warning',
  checkpoint: 'warning',
  escalated: 'accent',
  done: 'success',
  closed: 'neutral',
  failed: 'danger',
};
const RUN_LABEL: Partial<Record<RunStatus, string>> = {
  suspended: 'waiting for approval',
  checkpoint: 'at checkpoint',
};
export function RunStatusBadge({ status }: { status: RunStatus }) {
  return (
    <span className={`badge badge-${RUN_TONE[status] ?? 'neutral'}`} data-status={status}>
      {RUN_LABEL[status] ?? status}
    </span>
  );
}

/** How policy decided a step (src/runtime/policy.ts), in words. */
const DECISION: Record<string, { label: string; tone: Tone }> = {
  execute: { label: 'executed', tone: 'success' },
  approved: { label: 'approved', tone: 'success' },
  approval: { label: 'needs approval', tone: 'warning' },
  record: { label: 'recorded only', tone: 'neutral' },
  deny: { label: 'denied', tone: 'danger' },
  denied: { label: 'denied', tone: 'danger' },
  send: { label: 'sent', tone: 'success' },
  sent: { label: 'sent', tone: 'success' },
  review: { label: 'to review', tone: 'warning' },
  draft: { label: 'draft only', tone: 'neutral' },
  escalate: { label: 'escalated', tone: 'accent' },
  done: { label: 'done', tone: 'success' },
  error: { label: 'error', tone: 'danger' },
  invalid: { label: 'invalid', tone: 'danger' },
};
export function DecisionBadge({ decision }: { decision: string }) {
  const d = DECISION[decision] ?? { label: decision, tone: 'neutral' as Tone };
  return <Badge tone={d.tone}>{d.label}</Badge>;
}

export function Time({ iso, relative = true }: { iso: string; relative?: boolean }) {
  return (
    <time dateTime={iso} title={fullDate(iso)}>
      {relative ? relativeTime(iso) : fullDate(iso)}
    </time>
  );
}

export function ErrorNote({ error, title }: { error: unknown; title?: string }) {
  if (!error) return null;
  const api = error instanceof ApiError ? error : null;
  // Validation details name what was wrong; a server error carries the request id support needs.
  const details =
    api && Array.isArray(api.details) ? (api.details as { path?: unknown; message?: unknown }[]) : [];
  const lines = details
    .filter((d) => typeof d?.message === 'string')
    .map((d) => {
      const path = Array.isArray(d.path) ? d.path.join('.') : typeof d.path === 'string' ? d.path : '';
      return `${path.replace(/^body\./, '')}${path ? ': ' : ''}${String(d.message)}`;
    });
  return (
    <div className="note note-danger" role="alert">
      {title ? <strong>{title} </strong> : null}
      {errorMessage(error)}
      {lines.length > 0 ? (
        <ul className="error-details">
          {lines.map((l) => (
            <li key={l}>{l}</li>
          ))}
        </ul>
      ) : null}
      {api && api.status >= 500 && api.requestId ? (
        <span className="note-meta"> (request {api.requestId.slice(0, 8)})</span>
      ) : null}
    </div>
  );
}

export function JsonView({ value, label }: { value: unknown; label?: string }) {
  return (
    <pre className="json" title={label}>
      <code>{json(value)}</code>
    </pre>
  );
}

export function PageHeader({
  title,
  subtitle,
  actions,
  crumbs,
}: {
  title: ReactNode;
  subtitle?: ReactNode;
  actions?: ReactNode;
  crumbs?: ReactNode;
}) {
  return (
    <header className="page-header">
      <div className="page-header-text">
        {crumbs ? (
          <nav aria-label="Breadcrumb" className="crumbs">
            {crumbs}
          </nav>
        ) : null}
        <h1 tabIndex={-1} data-page-title>
          {title}
        </h1>
        {subtitle ? <p className="subtitle">{subtitle}</p> : null}
      </div>
      {actions ? <div className="page-actions">{actions}</div> : null}
    </header>
  );
}

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <p className="loading" role="status">
      <span className="spinner" aria-hidden="true" />
      {label}
    </p>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty">
      <p className="empty-title">{title}</p>
      {children ? <div className="empty-body">{children}</div> : null}
    </div>
  );
}

/** A labelled form control with an optional hint and inline error, wired with aria-describedby. */
export function Field({
  label,
  hint,
  error,
  children,
  className,
}: {
  label: ReactNode;
  hint?: ReactNode;
  error?: string | undefined;
  className?: string;
  children: (props: { id: string; 'aria-describedby'?: string; 'aria-invalid'?: boolean }) => ReactNode;
}) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field${error ? ' field-invalid' : ''}${className ? ` ${className}` : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children({ id, 'aria-describedby': describedBy, ...(error ? { 'aria-invalid': true } : {}) })}
      {hint ? (
        <p className="hint" id={hintId}>
          {hint}
        </p>
      ) : null}
      {error ? (
        <p className="field-error" id={errorId}>
          {error}
        </p>
      ) : null}
    </div>
  );
}

/**
 * A confirmation in a native modal <dialog>: the browser traps focus, Escape cancels, and focus returns to the
 * button that opened it.
 */
export function ConfirmDialog({
  open,
  title,
  children,
  confirmLabel,
  tone = 'primary',
  reason,
  reasonLabel = 'Reason',
  busy,
  error,
  onConfirm,
  onCancel,
}: {
  open: boolean;
  title: string;
  children?: ReactNode;
  confirmLabel: string;
  tone?: 'primary' | 'danger';
  /** Ask for a reason: 'optional' or 'required'. */
  reason?: 'optional' | 'required';
  reasonLabel?: string;
  busy?: boolean;
  error?: unknown;
  onConfirm: (reason: string) => void;
  onCancel: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const reasonId = useId();
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        onCancel();
      }}
    >
      {open ? (
        <form
          method="dialog"
          onSubmit={(e) => {
            e.preventDefault();
            const data = new FormData(e.currentTarget);
            onConfirm(String(data.get('reason') ?? '').trim());
          }}
        >
          <h2 id={titleId}>{title}</h2>
          <div className="dialog-body">{children}</div>
          {reason ? (
            <div className="field">
              <label htmlFor={reasonId}>
                {reasonLabel}
                {reason === 'optional' ? ' (optional)' : ''}
              </label>
              <textarea
                id={reasonId}
                name="reason"
                rows={2}
                required={reason === 'required'}
                maxLength={1000}
              />
            </div>
          ) : null}
          <ErrorNote error={error} />
          <div className="dialog-actions">
            <button type="button" className="btn" onClick={onCancel}>
              Cancel
            </button>
            <button type="submit" className={`btn btn-${tone}`} disabled={busy}>
              {busy ? 'Working…' : confirmLabel}
            </button>
          </div>
        </form>
      ) : null}
    </dialog>
  );
}

/** A labelled progress bar for long work: a fraction (0…1) fills it, null shows it as busy with no end known. */
export function ProgressBar({ id, label, fraction }: { id: string; label: string; fraction: number | null }) {
  return (
    <div className="upload-progress">
      <label htmlFor={id}>{label}</label>
      {fraction !== null ? <progress id={id} max={1} value={fraction} /> : <progress id={id} />}
    </div>
  );
}
