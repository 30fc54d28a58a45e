// The frame of every signed-in page: skip link, navigation with live counts, the live-update status, the
// signed-in user, and the app-wide polite live region.
import { type ReactNode, useRef } from 'react';
import { kindOf } from '../agents/registry.ts';
import { api } from '../api.ts';
import { useResource, useSession } from '../hooks.ts';
import { useLive, useLiveMode } from '../live.ts';
import { Link, type Route } from '../router.tsx';
import type { AgentView } from '../types.ts';

const NAV: { href: string; label: string; pages: Route['page'][]; count?: 'approvals' | 'escalations' }[] = [
  { href: '/', label: 'Overview', pages: ['overview', 'readiness', 'agent-page'] },
  { href: '/approvals', label: 'Approvals', pages: ['approvals'], count: 'approvals' },
  { href: '/inbox', label: 'Inbox', pages: ['inbox'], count: 'escalations' },
  { href: '/conversations', label: 'Conversations', pages: ['conversations'] },
  { href: '/runs', label: 'Runs', pages: ['runs', 'run'] },
  { href: '/audit', label: 'Audit log', pages: ['audit'] },
  { href: '/settings/people', label: 'People', pages: ['people'] },
];

export function Layout({
  route,
  announcement,
  children,
}: {
  route: Route;
  announcement: string;
  children: ReactNode;
}) {
  const { me, signOut } = useSession();
  const mode = useLiveMode();
  const counts = useResource(async () => {
    const { agents, killSwitch } = await api.get<{ agents: AgentView[]; killSwitch: boolean }>('/api/agents');
    return {
      approvals: agents.reduce((n, a) => n + a.pendingApprovals, 0),
      escalations: agents.reduce((n, a) => n + a.openEscalations, 0),
      killSwitch,
      agents: agents.map((a) => ({ name: a.name, displayName: a.displayName, kind: a.kind })),
    };
  }, 'counts');
  useLive(['approval', 'escalation', 'run', 'agent', 'kill'], () => void counts.reload(), 600);

  const who = me.user?.name || me.user?.email || me.actor;
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <div className="topbar-inner">
          <Link href="/" className="brand" aria-label="Twelve, overview">
            <span className="brand-mark" aria-hidden="true">
              12
            </span>
            <span className="brand-name">Twelve</span>
          </Link>
          <nav aria-label="Main" className="mainnav">
            <ul>
              {NAV.map((item) => {
                const n = item.count ? (counts.data?.[item.count] ?? 0) : 0;
                const current = item.pages.includes(route.page);
                return (
                  <li key={item.href}>
                    <Link href={item.href} aria-current={current ? 'page' : undefined}>
                      {item.label}
                      {n > 0 ? (
                        <span className="nav-count">
                          <span aria-hidden="true">{n}</span>
                          <span className="sr-only">({n} waiting)</span>
                        </span>
                      ) : null}
                    </Link>
                  </li>
                );
              })}
              {counts.data && counts.data.agents.length > 0 ? (
                <li>
                  <AgentsMenu agents={counts.data.agents} current={route} />
                </li>
              ) : null}
            </ul>
          </nav>
          <div className="topbar-end">
            <span className={`live live-${mode}`} title={liveTitle(mode)}>
              <span className="live-dot" aria-hidden="true" />
              {mode === 'live' ? 'Live' : mode === 'polling' ? 'Polling' : 'Connecting'}
            </span>
            <span className="whoami" title={me.actor}>
              {who} <span className="role">{me.role}</span>
            </span>
            <button type="button" className="btn btn-ghost btn-sm" onClick={() => void signOut()}>
              Sign out
            </button>
          </div>
        </div>
        {counts.data?.killSwitch ? (
          <div className="killbar" role="status">
            Global kill switch engaged: agents stop at their next step and conversations go to humans.
          </div>
        ) : null}
      </header>
      <main id="main" className="main" tabIndex={-1}>
        {children}
      </main>
      <div className="sr-only" role="status" aria-live="polite" aria-atomic="true">
        {announcement}
      </div>
    </>
  );
}

function liveTitle(mode: string): string {
  if (mode === 'live') return 'Updates arrive as they happen';
  if (mode === 'polling') return 'The live stream is unavailable; refreshing every 5 seconds';
  return 'Connecting to live updates';
}

type AgentLink = { name: string; displayName: string; kind: string };

/** Each agent's pages (readiness, measurement, tools, and its kind's own such as the knowledge base), from the nav. */
function AgentsMenu({ agents, current }: { agents: AgentLink[]; current: Route }) {
  const ref = useRef<HTMLDetailsElement>(null);
  const close = () => {
    if (ref.current) ref.current.open = false;
  };
  const here = 'agent' in current ? current.agent : null;
  return (
    <details className="agents-menu" ref={ref}>
      <summary aria-current={here ? 'page' : undefined}>Agents</summary>
      <div className="agents-menu-panel">
        {agents.map((a) => {
          const base = `/agents/${encodeURIComponent(a.name)}`;
          const pages = [
            ...(kindOf(a.kind)?.pages ?? []).map((p) => ({ href: `${base}/${p.path}`, label: p.title })),
            { href: `${base}/readiness`, label: 'Readiness' },
            { href: `${base}/measurement`, label: 'Measurement' },
            { href: `${base}/mcp`, label: 'Tools (MCP)' },
          ];
          return (
            <section key={a.name} aria-label={a.displayName || a.name}>
              <p className="agents-menu-name">{a.displayName || a.name}</p>
              <ul>
                {pages.map((p) => (
                  <li key={p.href}>
                    <Link href={p.href} onClick={close}>
                      {p.label}
                      <span className="sr-only"> of {a.displayName || a.name}</span>
                    </Link>
                  </li>
                ))}
              </ul>
            </section>
          );
        })}
      </div>
    </details>
  );
}
