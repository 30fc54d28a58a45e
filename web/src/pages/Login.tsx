// Sign in with email and password.
import { useState } from 'react';
import { api } from '../api.ts';
import { ErrorNote, Field } from '../components/ui.tsx';
import { useAction } from '../hooks.ts';
import type { Me, UserView } from '../types.ts';

export function LoginPage({ onDone }: { onDone: (me: Me) => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const { busy, error, run } = useAction();

  return (
    <main className="auth-page">
      <form
        className="auth-card"
        onSubmit={async (e) => {
          e.preventDefault();
          const r = await run(() =>
            api.post<{ user: UserView; csrfToken: string }>('/api/auth/login', { email, password }),
          );
          if (r)
            onDone({
              user: r.user,
              actor: `user:${r.user.email}`,
              role: r.user.role,
              csrfToken: r.csrfToken,
            });
        }}
      >
        <div className="auth-brand">
          <span className="brand-mark" aria-hidden="true">
            12
          </span>
          <span>Twelve</span>
        </div>
        <h1 tabIndex={-1} data-page-title>
          Sign in
        </h1>
        <Field label="Email">
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
        <Field label="Password">
          {(p) => (
            <input
              {...p}
              type="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          )}
        </Field>
        <ErrorNote error={error} />
        <button type="submit" className="btn btn-primary btn-block" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
