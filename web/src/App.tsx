// The shell: who is signed in (or whether Twelve still needs its first admin), the page for the URL, and the
// frame around signed-in pages.
import { useCallback, useEffect, useMemo, useState } from 'react';
import { kindPage } from './agents/registry.ts';
import { ApiError, api, onSignedOut, setCsrfToken } from './api.ts';
import { Layout } from './components/Layout.tsx';
import { ErrorNote, Loading } from './components/ui.tsx';
import { type Session, SessionContext } from './hooks.ts';
import { liveFeed } from './live.ts';
import { ApprovalsPage } from './pages/Approvals.tsx';
import { AuditPage } from './pages/Audit.tsx';
import { ConversationsPage } from './pages/Conversations.tsx';
import { InboxPage } from './pages/Inbox.tsx';
import { InvitePage } from './pages/Invite.tsx';
import { LoginPage } from './pages/Login.tsx';
import { McpToolsPage } from './pages/McpTools.tsx';
import { MeasurementPage } from './pages/Measurement.tsx';
import { NotFoundPage } from './pages/NotFound.tsx';
import { OverviewPage } from './pages/Overview.tsx';
import { PeoplePage } from './pages/People.tsx';
import { ReadinessPage } from './pages/Readiness.tsx';
import { RunPage } from './pages/Run.tsx';
import { RunsPage } from './pages/Runs.tsx';
import { SetupPage } from './pages/Setup.tsx';
import { matchRoute, navigate, type Route, useLocation } from './router.tsx';
import type { Me } from './types.ts';

type Auth =
  | { state: 'loading' }
  | { state: 'error'; error: unknown }
  | { state: 'signed-out'; setupNeeded: boolean }
  | { state: 'signed-in'; me: Me };

/** Each page's title; an agent kind's pages carry their own (agents/registry.ts). */
const TITLES: Record<Exclude<Route['page'], 'agent-page'>, string> = {
  overview: 'Overview',
  setup: 'First-run setup',
  login: 'Sign in',
  readiness: 'Readiness',
  'agent-mcp': 'Tools (MCP)',
  measurement: 'Measurement',
  approvals: 'Approvals',
  inbox: 'Inbox',
  conversations: 'Conversations',
  runs: 'Runs',
  run: 'Run',
  audit: 'Audit log',
  people: 'People',
  invite: 'Join Twelve',
  'not-found': 'Not found',
};

export function App() {
  const [auth, setAuth] = useState<Auth>({ state: 'loading' });
  const [announcement, setAnnouncement] = useState('');
  const { path } = useLocation();
  const route = matchRoute(path, (view) => kindPage(view) !== undefined);
  const title = route.page === 'agent-page' ? (kindPage(route.view)?.title ?? '') : TITLES[route.page];

  const refreshAuth = useCallback(async () => {
    try {
      const me = await api.get<Me>('/api/auth/me');
      setCsrfToken(me.csrfToken);
      setAuth({ state: 'signed-in', me });
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 401) {
        setAuth({ state: 'error', error: err });
        return;
      }
      setCsrfToken(null);
      try {
        const setup = await api.get<{ needed: boolean }>('/api/setup');
        setAuth({ state: 'signed-out', setupNeeded: setup.needed });
      } catch (e) {
        setAuth({ state: 'error', error: e });
      }
    }
  }, []);

  useEffect(() => {
    void refreshAuth();
    return onSignedOut(() => {
      setCsrfToken(null);
      setAuth({ state: 'signed-out', setupNeeded: false });
    });
  }, [refreshAuth]);

  const signedIn = auth.state === 'signed-in';
  useEffect(() => {
    if (!signedIn) return;
    liveFeed.start();
    return () => liveFeed.stop();
  }, [signedIn]);

  // Signed-in people have no business on /login or /setup.
  useEffect(() => {
    if (signedIn && (route.page === 'login' || route.page === 'setup')) navigate('/', { replace: true });
  }, [signedIn, route.page]);

  // A new page: say so in the title and move focus to its heading, so screen readers hear the change.
  useEffect(() => {
    document.title = `${title} · Twelve`;
    const h1 = document.querySelector<HTMLElement>('[data-page-title]');
    if (h1 && document.activeElement !== h1 && document.activeElement?.tagName !== 'INPUT') h1.focus();
  }, [title]);

  const session = useMemo<Session | null>(() => {
    if (auth.state !== 'signed-in') return null;
    return {
      me: auth.me,
      announce: (text) => {
        // Clearing first makes a repeated message be read again.
        setAnnouncement('');
        window.setTimeout(() => setAnnouncement(text), 50);
      },
      signOut: async () => {
        try {
          await api.post('/api/auth/logout');
        } finally {
          setCsrfToken(null);
          setAuth({ state: 'signed-out', setupNeeded: false });
          navigate('/login');
        }
      },
    };
  }, [auth]);

  if (auth.state === 'loading') return <Loading label="Loading Twelve…" />;
  if (auth.state === 'error')
    return (
      <main className="auth-page">
        <div className="auth-card">
          <h1>Twelve is not answering</h1>
          <ErrorNote error={auth.error} />
          <button type="button" className="btn btn-primary" onClick={() => void refreshAuth()}>
            Try again
          </button>
        </div>
      </main>
    );
  if (auth.state === 'signed-out') {
    if (route.page === 'invite' && !auth.setupNeeded)
      return (
        <InvitePage
          onDone={(me) => {
            setCsrfToken(me.csrfToken);
            setAuth({ state: 'signed-in', me });
            navigate('/', { replace: true });
          }}
        />
      );
    if (route.page === 'setup' || auth.setupNeeded) {
      return (
        <SetupPage
          needed={auth.setupNeeded}
          onDone={(me) => {
            setCsrfToken(me.csrfToken);
            setAuth({ state: 'signed-in', me });
            navigate('/', { replace: true });
          }}
        />
      );
    }
    return (
      <LoginPage
        onDone={(me) => {
          setCsrfToken(me.csrfToken);
          setAuth({ state: 'signed-in', me });
          if (route.page === 'login') navigate('/', { replace: true });
        }}
      />
    );
  }

  return (
    <SessionContext.Provider value={session}>
      <Layout route={route} announcement={announcement}>
        <Page route={route} />
      </Layout>
    </SessionContext.Provider>
  );
}

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'overview':
    case 'login':
    case 'setup':
      return <OverviewPage />;
    case 'readiness':
      return <ReadinessPage key={route.agent} agentName={route.agent} />;
    case 'agent-mcp':
      return <McpToolsPage key={route.agent} agentName={route.agent} />;
    case 'measurement':
      return <MeasurementPage key={route.agent} agentName={route.agent} />;
    case 'agent-page': {
      const KindPage = kindPage(route.view)?.component ?? NotFoundPage;
      return <KindPage key={route.agent} agentName={route.agent} />;
    }
    case 'approvals':
      return <ApprovalsPage />;
    case 'inbox':
      return <InboxPage selectedId={route.id} />;
    case 'conversations':
      return <ConversationsPage selectedId={route.id} />;
    case 'runs':
      return <RunsPage />;
    case 'run':
      return <RunPage key={route.id} runId={route.id} />;
    case 'audit':
      return <AuditPage />;
    case 'people':
      return <PeoplePage />;
    case 'invite':
      return <InviteSignedIn />;
    default:
      return <NotFoundPage />;
  }
}

/** An invitation opened while signed in: it is for someone else (or for after signing out). */
function InviteSignedIn() {
  return (
    <div className="card">
      <h1 tabIndex={-1} data-page-title>
        This is an invitation link
      </h1>
      <p>
        You are signed in already. To join as someone else with it, sign out first and open the link again.
      </p>
    </div>
  );
}
