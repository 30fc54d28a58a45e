// What the gateway makes of an outside tool's definition (pure): its fingerprint, its risk class from the
// annotations, the instructions aimed at the model hidden in its text, and a diff between two definitions.
// Everything an outside server says is untrusted: these functions only read it.
import { createHash } from 'node:crypto';
import { canonicalJson } from '../../audit/canonical.ts';
import type { RiskClass } from '../../runtime/types.ts';

/** The parts of a listed tool that make its definition (what the model would read and what it would be sent). */
export interface ToolDefinitionView {
  name: string;
  title?: unknown;
  description?: unknown;
  inputSchema?: unknown;
  outputSchema?: unknown;
  annotations?: Record<string, unknown> | undefined;
}

/** A tool name the MCP specification allows. */
export const MCP_TOOL_NAME = /^[A-Za-z0-9_.-]{1,128}$/;

export function definitionOf(tool: ToolDefinitionView): ToolDefinitionView {
  const d: ToolDefinitionView = { name: tool.name };
  if (tool.title !== undefined) d.title = tool.title;
  if (tool.description !== undefined) d.description = tool.description;
  if (tool.inputSchema !== undefined) d.inputSchema = tool.inputSchema;
  if (tool.outputSchema !== undefined) d.outputSchema = tool.outputSchema;
  if (tool.annotations !== undefined) d.annotations = tool.annotations;
  return d;
}

/** SHA-256 of the canonical JSON of the definition: any change of a word, a schema or a hint changes it. */
export function fingerprint(tool: ToolDefinitionView): string {
  return createHash('sha256')
    .update(canonicalJson(definitionOf(tool)))
    .digest('hex');
}

/**
 * The risk class the annotations claim: readOnlyHint → read; destructiveHint true or absent → destructive;
 * otherwise write. An admin's override wins (it may be stricter or looser; it is the admin's decision, audited).
 */
export function riskOf(
  annotations: Record<string, unknown> | undefined,
  override?: RiskClass | null,
): RiskClass {
  if (override) return override;
  if (annotations?.readOnlyHint === true) return 'read';
  if (annotations?.destructiveHint === false) return 'write';
  return 'destructive';
}

export interface InjectionFlag {
  /** Where in the definition: description, title, inputSchema.properties.x.description … */
  where: string;
  rule: string;
  excerpt: string;
}

const RULES: readonly [string, RegExp][] = [
  [
    'ignore_instructions',
    /\b(ignore|disregard|forget|override)\b[^.]{0,40}\b(previous|prior|above|earlier|all|other|system)\b/i,
  ],
  ['imperative_to_model', /\byou (must|should always|are required to|have to|need to)\b/i],
  ['role_tag', /<\/?\s*(system|assistant|user|instructions?|important|admin|prompt)\b[^>]*>/i],
  ['system_prompt', /\b(system prompt|developer message|hidden instructions?)\b/i],
  ['secrecy', /\b(do not|don't|never) (tell|mention|reveal|inform|show)\b/i],
  [
    'exfiltration',
    /\b(send|forward|upload|post|include)\b[^.]{0,60}\b(password|secret|token|api key|credentials?|ssh|\.env|private key)\b/i,
  ],
  ['other_tools', /\b(before|instead of|after) (using|calling) (any|this|other|the) (other )?tools?\b/i],
  // Zero-width, bidi controls, tag characters: text a person reviewing cannot see.
  ['hidden_unicode', /[\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF\u{E0000}-\u{E007F}]/u],
];

function excerptAround(text: string, index: number): string {
  const start = Math.max(0, index - 30);
  const visible = text
    .slice(start, index + 60)
    .replace(
      /[\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    )
    .replace(/[\u{E0000}-\u{E007F}]/gu, '\\u{tag}');
  return (start > 0 ? '…' : '') + visible.replace(/\s+/g, ' ');
}

/** Every string in the definition (descriptions nested in schemas included), checked against the rules. */
export function injectionFlags(tool: ToolDefinitionView): InjectionFlag[] {
  const flags: InjectionFlag[] = [];
  const stack: [unknown, string][] = [[definitionOf(tool), '']];
  let visited = 0;
  while (stack.length > 0 && visited++ < 10_000) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'string') {
      for (const [rule, re] of RULES) {
        const m = re.exec(v);
        if (m) flags.push({ where: path || 'value', rule, excerpt: excerptAround(v, m.index) });
      }
    } else if (Array.isArray(v)) {
      for (const [i, item] of v.entries()) stack.push([item, `${path}.${i}`]);
    } else if (v && typeof v === 'object') {
      for (const [k, item] of Object.entries(v)) {
        const at = path ? `${path}.${k}` : k;
        for (const [rule, re] of RULES) {
          if (rule === 'hidden_unicode' && re.test(k))
            flags.push({ where: at, rule, excerpt: excerptAround(k, 0) });
        }
        stack.push([item, at]);
      }
    }
  }
  return flags.sort((a, b) => a.where.localeCompare(b.where) || a.rule.localeCompare(b.rule));
}

export interface DefinitionChange {
  field: 'name' | 'title' | 'description' | 'inputSchema' | 'outputSchema' | 'annotations';
  before: unknown;
  after: unknown;
}

/** The fields that differ between the accepted definition (null: none yet) and the listed one. */
export function definitionDiff(
  before: ToolDefinitionView | null,
  after: ToolDefinitionView,
): DefinitionChange[] {
  const fields = ['name', 'title', 'description', 'inputSchema', 'outputSchema', 'annotations'] as const;
  const changes: DefinitionChange[] = [];
  for (const field of fields) {
    const b = before ? before[field] : undefined;
    const a = after[field];
    if (canonicalJson(b ?? null) !== canonicalJson(a ?? null))
      changes.push({ field, before: b ?? null, after: a ?? null });
  }
  return changes;
}
