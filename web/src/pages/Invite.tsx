// Joining by invitation: `/invite#<token>` (the token in the fragment never reaches server logs or a Referer). The
// invitee sees the role they are invited with, picks a name and password, and is signed in.
import { useEffect, useState } from 'react';
import { api, fieldErrors } from '../api.ts';
import { ErrorNote, Field, Loading } from '../components/ui.tsx';
import { humanDate } from '../format.ts';
import { useAction } from '../hooks.ts';
import type { Me, Role, UserView } from '../types.ts';

const MIN_PASSWORD = 12;

export function InvitePage({ onDone }: { onDone: (me: Me) => void }) {
  const [token] = useState(() => decodeURIComponent(window.location.hash.replace(/^#/, '')).trim());
  const [offer, setOffer] = useState<{ role: Role; email: string | null; expiresAt: string } | null>(null);
  const [lookupError, setLookupError] = useState<unknown>(null);
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const { busy, error, run } = useAction();
  const errors = fieldErrors(error);

  useEffect(() => {
    if (!token) return;
    api
      .post<{ role: Role; email: string | null; expiresAt: string }>('/api/invites/lookup', { token })
      .then((o) => {
        setOffer(o);
        if (o.email) setEmail(o.email);
      })
      .catch(setLookupError);
  }, [token]);

  const invalid = !token || lookupError;
  return (
    <main className="auth-page">
      <form
        className="auth-card"
        onSubmit={async (e) => {
          e.preventDefault();
          const r = await run(() =>
            api.post<{ user: UserView; csrfToken: string }>('/api/invites/accept', {
              token,
              email,
              name,
              password,
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
          Join Twelve
        </h1>
        {invalid ? (
          <>
            <ErrorNote error={lookupError ?? new Error('This link has no invitation in it.')} />
            <p>Ask the administrator who invited you for a new link.</p>
            <a className="btn btn-block" href="/login">
              Go to sign in
            </a>
          </>
        ) : !offer ? (
          <Loading label="Reading the invitation…" />
        ) : (
          <>
            <p className="subtitle">
              You are invited as <strong>{offer.role}</strong>. The link works once, until{' '}
              {humanDate(offer.expiresAt)}.
            </p>
            <Field label="Your name" error={errors.name}>
              {(p) => (
                <input
                  {...p}
                  autoComplete="name"
                  required
                  value={name}
                  onChange={(e) => setName(e.target.value)}
                />
              )}
            </Field>
            <Field label="Email" error={errors.email}>
              {(p) => (
                <input
                  {...p}
                  type="email"
                  autoComplete="username"
                  required
                  readOnly={offer.email !== null}
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
            <ErrorNote error={Object.keys(errors).length ? null : error} />
            <button type="submit" className="btn btn-primary btn-block" disabled={busy}>
              {busy ? 'Joining…' : 'Join'}
            </button>
          </>
        )}
      </form>
    </main>
  );
}
