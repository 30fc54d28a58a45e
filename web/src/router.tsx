// History API routing in a few lines: real URLs (the server falls back to index.html), real links (open in a
// new tab, keyboard, screen readers), no router library.
import { type AnchorHTMLAttributes, type MouseEvent, useSyncExternalStore } from 'react';

export type Route =
  | { page: 'overview' }
  | { page: 'setup' }
  | { page: 'login' }
  | { page: 'readiness'; agent: string }
  | { page: 'agent-mcp'; agent: string }
  | { page: 'measurement'; agent: string }
  /** A page an agent kind declares (agents/registry.ts kindPage), such as a support agent's 'kb'. */
  | { page: 'agent-page'; agent: string; view: string }
  | { page: 'approvals' }
  | { page: 'inbox'; id: string | null }
  | { page: 'conversations'; id: string | null }
  | { page: 'runs' }
  | { page: 'run'; id: string }
  | { page: 'audit' }
  | { page: 'people' }
  | { page: 'invite' }
  | { page: 'not-found' };

/** `isAgentPage(view)`: whether some agent kind has a page at /agents/:agent/<view>. */
export function matchRoute(path: string, isAgentPage: (view: string) => boolean): Route {
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const [a, b, c] = parts;
  if (parts.length === 0) return { page: 'overview' };
  if (a === 'setup' && !b) return { page: 'setup' };
  if (a === 'login' && !b) return { page: 'login' };
  if (a === 'agents' && b && c === 'readiness' && parts.length === 3) return { page: 'readiness', agent: b };
  if (a === 'agents' && b && c === 'mcp' && parts.length === 3) return { page: 'agent-mcp', agent: b };
  if (a === 'agents' && b && c === 'measurement' && parts.length === 3)
    return { page: 'measurement', agent: b };
  if (a === 'agents' && b && c && parts.length === 3 && isAgentPage(c))
    return { page: 'agent-page', agent: b, view: c };
  if (a === 'approvals' && !b) return { page: 'approvals' };
  if (a === 'inbox' && parts.length <= 2) return { page: 'inbox', id: b ?? null };
  if (a === 'conversations' && parts.length <= 2) return { page: 'conversations', id: b ?? null };
  if (a === 'runs' && !b) return { page: 'runs' };
  if (a === 'runs' && b && parts.length === 2) return { page: 'run', id: b };
  if (a === 'audit' && !b) return { page: 'audit' };
  if (a === 'settings' && b === 'people' && parts.length === 2) return { page: 'people' };
  if (a === 'invite' && !b) return { page: 'invite' };
  return { page: 'not-found' };
}

const NAV_EVENT = 'twelve:navigate';

function subscribe(cb: () => void): () => void {
  window.addEventListener('popstate', cb);
  window.addEventListener(NAV_EVENT, cb);
  return () => {
    window.removeEventListener('popstate', cb);
    window.removeEventListener(NAV_EVENT, cb);
  };
}

const snapshot = () => window.location.pathname + window.location.search;

/** The current path and query; re-renders on navigation. */
export function useLocation(): { path: string; query: URLSearchParams } {
  const href = useSyncExternalStore(subscribe, snapshot);
  const [path = '/', search = ''] = href.split('?');
  return { path, query: new URLSearchParams(search) };
}

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (options.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  window.dispatchEvent(new Event(NAV_EVENT));
  if (!to.includes('#')) window.scrollTo(0, 0);
}

export function Link({ href, onClick, ...rest }: AnchorHTMLAttributes<HTMLAnchorElement> & { href: string }) {
  const handle = (e: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(e);
    // Let the browser handle new tabs, downloads and modified clicks.
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    if (rest.target && rest.target !== '_self') return;
    e.preventDefault();
    navigate(href);
  };
  return <a href={href} onClick={handle} {...rest} />;
}
