// The New agent form. A scripted agent gets its script as JSON (the action list a ScriptedBrain plays), checked
// here for shape and by the server for content.
import { useState } from 'react';
import { WEB_KINDS } from '../agents/registry.ts';
import { api, fieldErrors } from '../api.ts';
import { useAction } from '../hooks.ts';
import type { AgentView } from '../types.ts';
import { ErrorNote, Field } from './ui.tsx';

const KINDS = WEB_KINDS.map((k) => ({
  value: k.kind,
  label: k.description ? `${k.label} (${k.description})` : k.label,
}));
const BRAINS = [
  { value: 'local', label: 'Local (offline, deterministic)' },
  { value: 'llm', label: 'LLM (provider-backed)' },
  { value: 'scripted', label: 'Scripted (plays a fixed list of actions)' },
];
const EXAMPLE_SCRIPT = `[
  { "type": "tool", "name": "notes.search", "args": { "query": "hours" } },
  { "type": "reply", "text": "We are open 9 to 5.", "confidence": 0.9 },
  { "type": "done", "outcome": "answered" }
]`;

function parseScript(text: string): { script?: unknown[]; error?: string } {
  try {
    const value: unknown = JSON.parse(text);
    if (!Array.isArray(value)) return { error: 'The script must be a JSON array of actions.' };
    const bad = value.findIndex((a) => typeof a !== 'object' || a === null || typeof a.type !== 'string');
    if (bad >= 0) return { error: `Action ${bad + 1} needs a "type" (reply, tool, escalate or done).` };
    return { script: value };
  } catch (err) {
    return { error: `Not valid JSON: ${err instanceof Error ? err.message : String(err)}` };
  }
}

export function NewAgentForm({
  onCreated,
  onCancel,
}: {
  onCreated: (agent: AgentView) => void;
  onCancel: () => void;
}) {
  const [kind, setKind] = useState(KINDS[0]?.value ?? '');
  const [name, setName] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [brain, setBrain] = useState('local');
  const [stepBudget, setStepBudget] = useState('10');
  const [threshold, setThreshold] = useState('0.7');
  const [spendCap, setSpendCap] = useState('');
  const [contacts, setContacts] = useState('');
  const [script, setScript] = useState(EXAMPLE_SCRIPT);
  const [scriptError, setScriptError] = useState<string | undefined>();
  const { busy, error, run } = useAction();
  const errors = fieldErrors(error);

  return (
    <section id="new-agent" className="card form-card" aria-labelledby="new-agent-title">
      <h2 id="new-agent-title">New agent</h2>
      <p className="muted">A new agent runs in shadow mode (drafts only) until its readiness is assessed.</p>
      <form
        noValidate={false}
        onSubmit={async (e) => {
          e.preventDefault();
          let config: { script: unknown[] } | undefined;
          if (brain === 'scripted') {
            const parsed = parseScript(script);
            setScriptError(parsed.error);
            if (!parsed.script) return;
            config = { script: parsed.script };
          }
          const body = {
            kind,
            name: name.trim(),
            ...(displayName.trim() ? { displayName: displayName.trim() } : {}),
            brain,
            stepBudget: Number(stepBudget),
            confidenceThreshold: Number(threshold),
            ...(spendCap.trim() ? { spendCapCents: Math.round(Number(spendCap) * 100) } : {}),
            escalationContacts: contacts
              .split(/[\n,]/)
              .map((c) => c.trim())
              .filter(Boolean),
            ...(config ? { config } : {}),
          };
          const agent = await run(() => api.post<AgentView>('/api/agents', body));
          if (agent) onCreated(agent);
        }}
      >
        <div className="form-grid">
          <Field label="Kind" error={errors.kind}>
            {(p) => (
              <select {...p} value={kind} onChange={(e) => setKind(e.target.value)}>
                {KINDS.map((k) => (
                  <option key={k.value} value={k.value}>
                    {k.label}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field
            label="Name"
            hint="Lowercase letters, digits and dashes, e.g. support-bot."
            error={errors.name}
          >
            {(p) => (
              <input
                {...p}
                required
                pattern="[a-z0-9][a-z0-9\-]{0,62}"
                autoComplete="off"
                spellCheck={false}
                value={name}
                onChange={(e) => setName(e.target.value)}
              />
            )}
          </Field>
          <Field label="Display name (optional)" error={errors.displayName}>
            {(p) => <input {...p} value={displayName} onChange={(e) => setDisplayName(e.target.value)} />}
          </Field>
          <Field label="Brain" error={errors.brain}>
            {(p) => (
              <select {...p} value={brain} onChange={(e) => setBrain(e.target.value)}>
                {BRAINS.map((b) => (
                  <option key={b.value} value={b.value}>
                    {b.label}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field
            label="Step budget"
            hint="Steps per run before a human checkpoint (1–25)."
            error={errors.stepBudget}
          >
            {(p) => (
              <input
                {...p}
                type="number"
                min={1}
                max={25}
                step={1}
                required
                value={stepBudget}
                onChange={(e) => setStepBudget(e.target.value)}
              />
            )}
          </Field>
          <Field
            label="Confidence threshold"
            hint="Replies below it go to a human (0–1)."
            error={errors.confidenceThreshold}
          >
            {(p) => (
              <input
                {...p}
                type="number"
                min={0}
                max={1}
                step={0.05}
                required
                value={threshold}
                onChange={(e) => setThreshold(e.target.value)}
              />
            )}
          </Field>
          <Field
            label="Daily spend cap in USD (optional)"
            hint="Tokens, voice minutes and paid messages per day. Needed for failure tolerance 4+."
            error={errors.spendCapCents}
          >
            {(p) => (
              <input
                {...p}
                type="number"
                min={0}
                step={0.01}
                inputMode="decimal"
                value={spendCap}
                onChange={(e) => setSpendCap(e.target.value)}
              />
            )}
          </Field>
          <Field
            label="Escalation contacts (optional)"
            hint="One per line: people who take over when the agent hands off."
            error={errors.escalationContacts}
          >
            {(p) => (
              <textarea {...p} rows={2} value={contacts} onChange={(e) => setContacts(e.target.value)} />
            )}
          </Field>
          {brain === 'scripted' ? (
            <Field
              className="span-2"
              label="Script (JSON)"
              hint='An array of actions played one per step: reply, tool ({"type":"tool","name":…,"args":…}), escalate or done.'
              error={scriptError ?? errors.config}
            >
              {(p) => (
                <textarea
                  {...p}
                  className="code"
                  rows={8}
                  spellCheck={false}
                  value={script}
                  onChange={(e) => setScript(e.target.value)}
                />
              )}
            </Field>
          ) : null}
        </div>
        <ErrorNote error={Object.keys(errors).length ? null : error} />
        <div className="form-actions">
          <button type="button" className="btn" onClick={onCancel}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy ? 'Creating…' : 'Create agent'}
          </button>
        </div>
      </form>
    </section>
  );
}
