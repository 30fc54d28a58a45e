// Settings → People: the team (change a role, remove someone; the server refuses to lose the last admin), inviting
// by a one-time link or creating an account, API tokens (the secret shown once), and what each role may do, read
// from the server's own permission table (src/server/permissions.ts), never a copied list.
import { useState } from 'react';
import { PERMISSIONS } from '../../../src/server/permissions.ts';
import { api, fieldErrors } from '../api.ts';
import { ConfirmDialog, Empty, ErrorNote, Field, Loading, PageHeader } from '../components/ui.tsx';
import { humanDate, personName } from '../format.ts';
import { useAction, useCan, useResource, useSession } from '../hooks.ts';
import { refreshPeople, usePersonName } from '../people.ts';
import type { Role } from '../types.ts';

const ROLES: Role[] = ['admin', 'reviewer', 'viewer'];

interface PersonView {
  id: string;
  email: string;
  name: string;
  role: Role;
  disabled: boolean;
  createdAt: string;
}
interface InviteView {
  id: string;
  email: string | null;
  role: Role;
  createdBy: string;
  createdAt: string;
  expiresAt: string;
}
interface TokenView {
  id: string;
  name: string;
  role: Role;
  createdBy: string;
  createdAt: string;
  lastUsedAt: string | null;
  revoked: boolean;
}

export function PeoplePage() {
  const can = useCan();
  const admin = can('users.manage');
  return (
    <>
      <PageHeader
        title="People"
        subtitle={
          admin
            ? 'Who works in Twelve, with which role; invitations and API tokens.'
            : 'What each role may do. An administrator manages people and tokens.'
        }
      />
      {admin ? (
        <>
          <TeamSection />
          <InviteSection />
          <TokensSection />
        </>
      ) : null}
      <RolesSection />
    </>
  );
}

function TeamSection() {
  const { me } = useSession();
  const users = useResource(() => api.get<{ users: PersonView[] }>('/api/users'), 'users');
  const { busy, error, run, setError } = useAction();
  const [removing, setRemoving] = useState<PersonView | null>(null);
  const [adding, setAdding] = useState(false);

  const reload = async () => {
    refreshPeople();
    await users.reload();
  };
  const changeRole = async (u: PersonView, role: Role) => {
    const ok = await run(() => api.patch(`/api/users/${u.id}`, { role }));
    await reload();
    return ok;
  };

  return (
    <section className="section" aria-labelledby="team-h">
      <div className="section-head">
        <h2 id="team-h">Team</h2>
        <button
          type="button"
          className="btn btn-sm"
          onClick={() => setAdding((a) => !a)}
          aria-expanded={adding}
        >
          {adding ? 'Close' : 'Create an account'}
        </button>
      </div>
      {adding ? (
        <CreateUserForm
          onDone={async () => {
            setAdding(false);
            await reload();
          }}
        />
      ) : null}
      {users.error ? <ErrorNote error={users.error} /> : null}
      {!removing ? <ErrorNote error={error} /> : null}
      {!users.data ? (
        <Loading />
      ) : (
        <div className="table-wrap">
          <table className="table people-table">
            <caption className="sr-only">People and their roles</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Email</th>
                <th scope="col">Role</th>
                <th scope="col">Since</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {users.data.users.map((u) => (
                <tr key={u.id} data-user={u.email}>
                  <td>
                    {personName(u)}
                    {u.email === me.user?.email ? <span className="muted"> (you)</span> : null}
                    {u.disabled ? <span className="muted"> · disabled</span> : null}
                  </td>
                  <td className="wrap">{u.email}</td>
                  <td>
                    <select
                      aria-label={`Role of ${personName(u)}`}
                      value={u.role}
                      disabled={busy}
                      onChange={(e) => void changeRole(u, e.target.value as Role)}
                    >
                      {ROLES.map((r) => (
                        <option key={r} value={r}>
                          {r}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td className="nowrap">{humanDate(u.createdAt)}</td>
                  <td>
                    <button
                      type="button"
                      className="btn btn-sm btn-danger-outline"
                      onClick={() => {
                        setError(null);
                        setRemoving(u);
                      }}
                    >
                      Remove<span className="sr-only"> {personName(u)}</span>
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <ConfirmDialog
        open={removing !== null}
        title={`Remove ${removing ? personName(removing) : ''}?`}
        confirmLabel="Remove"
        tone="danger"
        busy={busy}
        error={error}
        onCancel={() => setRemoving(null)}
        onConfirm={async () => {
          if (!removing) return;
          const ok = await run(() => api.delete(`/api/users/${removing.id}`));
          if (ok) setRemoving(null);
          await reload();
        }}
      >
        <p>
          Their sessions end now. The audit log keeps what they did. Twelve keeps at least one active
          administrator.
        </p>
      </ConfirmDialog>
    </section>
  );
}

function CreateUserForm({ onDone }: { onDone: () => Promise<void> }) {
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('reviewer');
  const [password, setPassword] = useState('');
  const { busy, error, run } = useAction();
  const errors = fieldErrors(error);
  return (
    <form
      className="card form-card"
      aria-label="Create an account"
      onSubmit={async (e) => {
        e.preventDefault();
        const ok = await run(() => api.post('/api/users', { email, name, role, password }));
        if (ok) await onDone();
      }}
    >
      <div className="form-grid">
        <Field label="Email" error={errors.email}>
          {(p) => (
            <input {...p} type="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
          )}
        </Field>
        <Field label="Name" error={errors.name}>
          {(p) => <input {...p} value={name} onChange={(e) => setName(e.target.value)} />}
        </Field>
        <Field label="Role" error={errors.role}>
          {(p) => (
            <select {...p} value={role} onChange={(e) => setRole(e.target.value as Role)}>
              {ROLES.map((r) => (
                <option key={r}>{r}</option>
              ))}
            </select>
          )}
        </Field>
        <Field
          label="Initial password"
          hint="At least 12 characters; tell it to them privately. An invitation lets them choose their own."
          error={errors.password}
        >
          {(p) => (
            <input
              {...p}
              type="password"
              autoComplete="new-password"
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          )}
        </Field>
      </div>
      <ErrorNote error={Object.keys(errors).length ? null : error} />
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? 'Creating…' : 'Create account'}
        </button>
      </div>
    </form>
  );
}

function InviteSection() {
  const name = usePersonName();
  const invites = useResource(() => api.get<{ invites: InviteView[] }>('/api/invites'), 'invites');
  const [role, setRole] = useState<Role>('reviewer');
  const [email, setEmail] = useState('');
  const [link, setLink] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  const { busy, error, run } = useAction();
  const errors = fieldErrors(error);
  return (
    <section className="section" aria-labelledby="invite-h">
      <h2 id="invite-h">Invite by link</h2>
      <form
        className="card form-card"
        aria-label="Invite by link"
        onSubmit={async (e) => {
          e.preventDefault();
          setCopied(false);
          const r = await run(() =>
            api.post<{ path: string }>('/api/invites', {
              role,
              ...(email.trim() ? { email: email.trim() } : {}),
            }),
          );
          if (r) {
            setLink(`${window.location.origin}${r.path}`);
            setEmail('');
            await invites.reload();
          }
        }}
      >
        <div className="form-grid">
          <Field label="Role" error={errors.role}>
            {(p) => (
              <select {...p} value={role} onChange={(e) => setRole(e.target.value as Role)}>
                {ROLES.map((r) => (
                  <option key={r}>{r}</option>
                ))}
              </select>
            )}
          </Field>
          <Field
            label="Their email (optional)"
            hint="When given, only this address can use the link."
            error={errors.email}
          >
            {(p) => <input {...p} type="email" value={email} onChange={(e) => setEmail(e.target.value)} />}
          </Field>
        </div>
        <ErrorNote error={Object.keys(errors).length ? null : error} />
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy ? 'Creating…' : 'Create invitation link'}
          </button>
        </div>
        {link ? (
          <div className="note note-success secret-once" role="status">
            <p>Send this link to them. It works once, for 7 days, and is shown only now.</p>
            <div className="secret-row">
              <input aria-label="Invitation link" readOnly value={link} onFocus={(e) => e.target.select()} />
              <button
                type="button"
                className="btn btn-sm"
                onClick={async () => {
                  await navigator.clipboard?.writeText(link).catch(() => undefined);
                  setCopied(true);
                }}
              >
                {copied ? 'Copied' : 'Copy link'}
              </button>
            </div>
          </div>
        ) : null}
      </form>
      <h3>Pending invitations</h3>
      {invites.error ? <ErrorNote error={invites.error} /> : null}
      {!invites.data ? (
        <Loading />
      ) : invites.data.invites.length === 0 ? (
        <p className="muted">None: every link was used, revoked or has expired.</p>
      ) : (
        <ul className="stack invite-list">
          {invites.data.invites.map((i) => (
            <li key={i.id} className="card card-tight">
              <strong>{i.role}</strong> {i.email ? `for ${i.email}` : 'for anyone with the link'}
              <span className="muted">
                {' '}
                · made {humanDate(i.createdAt)} by {name(i.createdBy)} · expires {humanDate(i.expiresAt)}
              </span>{' '}
              <button
                type="button"
                className="btn btn-sm btn-ghost"
                onClick={async () => {
                  await run(() => api.delete(`/api/invites/${i.id}`));
                  await invites.reload();
                }}
              >
                Revoke
                <span className="sr-only">
                  {' '}
                  the {i.role} invitation{i.email ? ` for ${i.email}` : ''}
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function TokensSection() {
  const who = usePersonName();
  const tokens = useResource(() => api.get<{ tokens: TokenView[] }>('/api/tokens'), 'tokens');
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const [secret, setSecret] = useState<{ name: string; token: string } | null>(null);
  const { busy, error, run } = useAction();
  const errors = fieldErrors(error);
  return (
    <section className="section" aria-labelledby="tokens-h">
      <h2 id="tokens-h">API tokens</h2>
      <p className="muted">
        For scripts, CI and MCP clients: send <code>Authorization: Bearer &lt;token&gt;</code>. See the{' '}
        <a href="/docs">API reference</a>.
      </p>
      <form
        className="card form-card"
        aria-label="Create an API token"
        onSubmit={async (e) => {
          e.preventDefault();
          const r = await run(() =>
            api.post<{ token: string; info: TokenView }>('/api/tokens', { name, role }),
          );
          if (r) {
            setSecret({ name: r.info.name, token: r.token });
            setName('');
            await tokens.reload();
          }
        }}
      >
        <div className="form-grid">
          <Field label="Token name" hint="What it is for, such as “ci” or “crm sync”." error={errors.name}>
            {(p) => (
              <input {...p} required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
            )}
          </Field>
          <Field label="Token role" error={errors.role}>
            {(p) => (
              <select {...p} value={role} onChange={(e) => setRole(e.target.value as Role)}>
                {ROLES.map((r) => (
                  <option key={r}>{r}</option>
                ))}
              </select>
            )}
          </Field>
        </div>
        <ErrorNote error={Object.keys(errors).length ? null : error} />
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy ? 'Creating…' : 'Create token'}
          </button>
        </div>
        {secret ? (
          <div className="note note-success secret-once" role="status">
            <p>The token “{secret.name}”. Store it now: it is shown only once.</p>
            <div className="secret-row">
              <input
                aria-label="New API token"
                readOnly
                value={secret.token}
                onFocus={(e) => e.target.select()}
              />
            </div>
          </div>
        ) : null}
      </form>
      {tokens.error ? <ErrorNote error={tokens.error} /> : null}
      {!tokens.data ? (
        <Loading />
      ) : tokens.data.tokens.length === 0 ? (
        <Empty title="No API tokens yet" />
      ) : (
        <div className="table-wrap">
          <table className="table">
            <caption className="sr-only">API tokens</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Role</th>
                <th scope="col">Made</th>
                <th scope="col">Last used</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {tokens.data.tokens.map((t) => (
                <tr key={t.id} data-token={t.name}>
                  <td>{t.name}</td>
                  <td>{t.role}</td>
                  <td>
                    {humanDate(t.createdAt)} by {who(t.createdBy)}
                  </td>
                  <td>{t.lastUsedAt ? humanDate(t.lastUsedAt) : 'never'}</td>
                  <td>
                    {t.revoked ? (
                      <span className="muted">revoked</span>
                    ) : (
                      <button
                        type="button"
                        className="btn btn-sm btn-danger-outline"
                        onClick={async () => {
                          await run(() => api.delete(`/api/tokens/${t.id}`));
                          await tokens.reload();
                        }}
                      >
                        Revoke<span className="sr-only"> the token {t.name}</span>
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** Areas whose id is an abbreviation. */
const AREA_WORDS: Record<string, string> = { kb: 'Knowledge base', mcp: 'MCP tools', worklog: 'Work log' };

/** "approvals.decide" → "Approvals: decide". */
const permissionWords = (id: string) => {
  const [area = id, action = ''] = id.split('.');
  return `${AREA_WORDS[area] ?? `${area.charAt(0).toUpperCase()}${area.slice(1)}`}: ${action}`;
};

function RolesSection() {
  const permissions = Object.entries(PERMISSIONS) as [string, readonly Role[]][];
  return (
    <section className="section" aria-labelledby="roles-h">
      <h2 id="roles-h">What each role may do</h2>
      <div className="table-wrap">
        <table className="table roles-table">
          <caption className="sr-only">Permissions by role</caption>
          <thead>
            <tr>
              <th scope="col">Permission</th>
              {ROLES.map((r) => (
                <th key={r} scope="col">
                  {r}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {permissions.map(([id, roles]) => (
              <tr key={id} data-permission={id}>
                <th scope="row">{permissionWords(id)}</th>
                {ROLES.map((r) => (
                  <td key={r} data-role={r}>
                    {roles.includes(r) ? (
                      <>
                        <span aria-hidden="true">✓</span>
                        <span className="sr-only">yes</span>
                      </>
                    ) : (
                      <>
                        <span aria-hidden="true" className="muted">
                          —
                        </span>
                        <span className="sr-only">no</span>
                      </>
                    )}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
