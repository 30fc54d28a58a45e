// The dashboard's agent kinds: the shell (router, App, AgentCard, NewAgentForm, Inbox) asks the registry, and a
// kind's literal lives only in its wing (web/src/agents/<kind>/) and the registry's list.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createElement, Fragment, type ReactNode } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { RECEPTIONIST_KIND } from '../../src/agents/receptionist/routes/bookings.ts';
import { AGENT_KINDS } from '../../src/agents/registry.ts';
import { SUPPORT_KIND } from '../../src/agents/support/kind.ts';
import { kindOf, kindPage, WEB_KINDS } from '../../web/src/agents/registry.ts';
import { matchRoute } from '../../web/src/router.tsx';
import type { AgentView } from '../../web/src/types.ts';

const WEB_SRC = fileURLToPath(new URL('../../web/src/', import.meta.url));
const REGISTRY = join(WEB_SRC, 'agents', 'registry.ts');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.tsx?$/.test(name) ? [path] : [];
  });
}

const html = (node: ReactNode) => renderToStaticMarkup(createElement(Fragment, null, node));
const isAgentPage = (view: string) => kindPage(view) !== undefined;

describe('web agent kinds', () => {
  it('names a kind that has a wing only inside that wing and the registry', () => {
    const files = sources(WEB_SRC);
    const offenders: string[] = [];
    for (const { kind } of WEB_KINDS) {
      const wing = join(WEB_SRC, 'agents', kind);
      if (!existsSync(wing)) continue;
      const literal = new RegExp(`(['"\`])${kind}\\1`);
      for (const file of files) {
        if (file.startsWith(`${wing}/`) || file === REGISTRY) continue;
        const text = readFileSync(file, 'utf8');
        text.split('\n').forEach((line, i) => {
          if (literal.test(line)) offenders.push(`${relative(WEB_SRC, file)}:${i + 1}: ${line.trim()}`);
        });
      }
    }
    expect(offenders).toEqual([]);
  });

  it("offers exactly the kinds the server's registry accepts, in the new-agent form's order", () => {
    expect(WEB_KINDS.map((k) => (k.description ? `${k.label} (${k.description})` : k.label))).toEqual([
      'Support (tier-1 answers)',
      'Receptionist (bookings by chat and phone)',
      'Hiring (a career page; resumes screened and ranked, people decide)',
      'Custom',
    ]);
    expect(WEB_KINDS.map((k) => k.kind)).toEqual(AGENT_KINDS.map((k) => k.kind));
  });

  it("routes /agents/:agent/kb to the support wing's page and nothing else under /agents/:agent", () => {
    expect(matchRoute('/agents/support-bot/kb', isAgentPage)).toEqual({
      page: 'agent-page',
      agent: 'support-bot',
      view: 'kb',
    });
    expect(kindPage('kb')?.title).toBe('Knowledge base');
    expect(kindOf(SUPPORT_KIND)?.pages?.map((p) => p.path)).toEqual(['kb']);
    expect(matchRoute('/agents/support-bot/readiness', isAgentPage)).toEqual({
      page: 'readiness',
      agent: 'support-bot',
    });
    expect(matchRoute('/agents/support-bot/nope', isAgentPage)).toEqual({ page: 'not-found' });
    expect(matchRoute('/agents/support-bot/kb/more', isAgentPage)).toEqual({ page: 'not-found' });
  });

  it("reads a support agent's 30-day summary and links its KB page on the card; other kinds add nothing", () => {
    const support = kindOf(SUPPORT_KIND)!;
    const agent = { name: 'help desk', displayName: 'Help desk', kind: SUPPORT_KIND } as AgentView;
    expect(support.cardSummary?.(agent)).toBeNull();
    const summary = {
      since: '2026-11-07T00:00:00.000Z',
      conversations: 4,
      answeredByAi: 3,
      escalated: 1,
      reopened: 0,
      draftAgreement: 0.5,
      draftsCompared: 2,
    };
    const stats = html(support.cardSummary?.({ ...agent, support: summary } as AgentView));
    // Its outcomes are the platform's block on every card (components/Outcomes.tsx); the wing adds the drafts.
    expect(stats).toContain('Drafts, last 30 days');
    expect(stats).toContain('Draft agreement 50% across 2 drafts');
    expect(stats).not.toContain('conversations');
    expect(html(support.cardActions?.(agent))).toBe(
      '<a href="/agents/help%20desk/kb" class="btn btn-sm">Knowledge base</a>',
    );
    expect(support.inbox).toBeDefined();
    // The other kinds without a wing are a name in the new-agent form, nothing more (yet).
    for (const k of WEB_KINDS.filter((k) => !k.pages)) {
      expect(Object.keys(k).filter((key) => !['kind', 'label', 'description'].includes(key))).toEqual([]);
    }
    expect(kindOf('a-newer-kind')).toBeUndefined();
  });

  it("routes a receptionist's calendar, business, calls and knowledge-base pages, and shows its bookings summary and links on the card", () => {
    for (const view of ['calendar', 'business', 'calls', 'kb'])
      expect(matchRoute(`/agents/front-desk/${view}`, isAgentPage)).toEqual({
        page: 'agent-page',
        agent: 'front-desk',
        view,
      });
    const receptionist = kindOf(RECEPTIONIST_KIND)!;
    expect(receptionist.pages?.map((p) => p.title)).toEqual([
      'Calendar',
      'Business',
      'Calls',
      'Knowledge base',
    ]);
    // What the knowledge base adds to the inbox, as for support.
    expect(receptionist.inbox).toBe(kindOf(SUPPORT_KIND)!.inbox);
    const agent = { name: 'front desk', displayName: 'Front desk', kind: RECEPTIONIST_KIND } as AgentView;
    expect(receptionist.cardSummary?.(agent)).toBeNull();
    const summary = { today: 3, next7Days: [3, 0, 5, 1, 0, 0, 2], tentative: 1, cancelled30Days: 4 };
    const card = html(receptionist.cardSummary?.({ ...agent, receptionist: summary } as AgentView));
    expect(card).toContain('aria-label="Front desk: bookings"');
    expect(card).toContain('<strong>3</strong> today');
    expect(card).toContain('<strong>11</strong> next 7 days');
    expect(card).toContain('<strong>1</strong> tentative');
    expect(card).toContain('<strong>4</strong> cancelled (30 days)');
    expect(card).toContain('aria-label="Next 7 days: 3, 0, 5, 1, 0, 0, 2 bookings a day"');
    // A total instead of per-day counts: the number, no bars.
    const total = html(
      receptionist.cardSummary?.({ ...agent, receptionist: { ...summary, next7Days: 9 } } as AgentView),
    );
    expect(total).toContain('<strong>9</strong> next 7 days');
    expect(total).not.toContain('<svg');
    expect(html(receptionist.cardActions?.(agent))).toBe(
      '<a href="/agents/front%20desk/calendar" class="btn btn-sm">Calendar</a>' +
        '<a href="/agents/front%20desk/business" class="btn btn-sm">Business</a>' +
        '<a href="/agents/front%20desk/calls" class="btn btn-sm">Calls</a>' +
        '<a href="/agents/front%20desk/kb" class="btn btn-sm">Knowledge base</a>',
    );
  });
});
