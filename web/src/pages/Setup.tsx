// First run: the one-time link `/setup#<token>` creates the first admin. The token travels in the URL hash so
// it never reaches server logs or a Referer header; it is removed from the address bar once used.
import { useState } from 'react';
import { api, fieldErrors } from '../api.ts';
import { ErrorNote, Field } from '../components/ui.tsx';
import { useAction } from '../hooks.ts';
import type { Me, UserView } from '../types.ts';

const MIN_PASSWORD = 12;

export function SetupPage({ needed, onDone }: { needed: boolean; onDone: (me: Me) => void }) {
  const [token] = useState(() => decodeURIComponent(window.location.hash.replace(/^#/, '')).trim());
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [mismatch, setMismatch] = useState(false);
  const { busy, error, run } = useAction();
  const errors = fieldErrors(error);

  if (!needed) {
    return (
      <main className="auth-page">
        <div className="auth-card">
          <h1 tabIndex={-1} data-page-title>
            Twelve is already set up
          </h1>
          <p>An administrator exists. Sign in, or ask an administrator for an account.</p>
          <a className="btn btn-primary btn-block" href="/login">
            Go to sign in
          </a>
        </div>
      </main>
    );
  }
  if (!token) {
    return (
      <main className="auth-page">
        <div className="auth-card">
          <h1 tabIndex={-1} data-page-title>
            Welcome to Twelve
          </h1>
          <p>
            Twelve needs its first administrator. Open the one-time setup link that <code>twelve start</code>{' '}
            printed in its terminal (it looks like <code>/setup#…</code>).
          </p>
        </div>
      </main>
    );
  }

  return (
    <main className="auth-page">
      <form
        className="auth-card"
        onSubmit={async (e) => {
          e.preventDefault();
          if (password !== confirm) {
            setMismatch(true);
            return;
          }
          setMismatch(false);
          const r = await run(() =>
            api.post<{ user: UserView; csrfToken: string }>('/api/setup', {
              token,
              email,
              password,
              ...(name.trim() ? { name: name.trim() } : {}),
            }),
          );
          if (r) {
            window.history.replaceState(null, '', '/');
            onDone({
              user: r.user,
              actor: `user:${r.user.email}`,
              role: r.user.role,
              csrfToken: r.csrfToken,
            });
          }
        }}
      >
        <div className="auth-brand">
          <span className="brand-mark" aria-hidden="true">
            12
          </span>
          <span>Twelve</span>
        </div>
        <h1 tabIndex={-1} data-page-title>
          Create the first administrator
        </h1>
        <p className="subtitle">
          This link works once. The administrator then invites everyone else from Settings → People.
        </p>
        <Field label="Name (optional)" error={errors.name}>
          {(p) => <input {...p} autoComplete="name" value={name} onChange={(e) => setName(e.target.value)} />}
        </Field>
        <Field label="Email" error={errors.email}>
          {(p) => (
            <input
              {...p}
              type="email"
              autoComplete="username"
              required
              value={email}
              onChange={(e) => setEmail(e.target.value)}
            />
          )}
        </Field>
        <Field label="Password" hint={`At least ${MIN_PASSWORD} characters.`} error={errors.password}>
          {(p) => (
            <input
              {...p}
              type="password"
              autoComplete="new-password"
              minLength={MIN_PASSWORD}
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          )}
        </Field>
        <Field label="Repeat password" error={mismatch ? 'The passwords do not match.' : undefined}>
          {(p) => (
            <input
              {...p}
              type="password"
              autoComplete="new-password"
              minLength={MIN_PASSWORD}
              required
              value={confirm}
              onChange={(e) => setConfirm(e.target.value)}
            />
          )}
        </Field>
        <ErrorNote error={Object.keys(errors).length ? null : error} />
        <button type="submit" className="btn btn-primary btn-block" disabled={busy}>
          {busy ? 'Creating…' : 'Create administrator'}
        </button>
      </form>
    </main>
  );
}
