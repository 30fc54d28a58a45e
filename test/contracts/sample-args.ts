// Valid arguments for any registered tool, so the kind contract suite can call every kind's tools without knowing
// them: the tool's input schema as JSON Schema (zod's own conversion), turned into a fast-check arbitrary, sampled
// with a fixed seed (the same arguments on every run) until one passes the tool's own schema. A tool whose schema
// this cannot satisfy names itself in the error; give it arguments in EXAMPLE_ARGS then.
import fc from 'fast-check';
import { z } from 'zod';
import type { AnyTool } from '../../src/runtime/tools.ts';

/** Arguments for tools whose input schema the sampler cannot satisfy, by tool name. */
export const EXAMPLE_ARGS: Readonly<Record<string, unknown>> = {};

type Schema = {
  type?: string | string[];
  const?: unknown;
  enum?: unknown[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
};

function arbitraryOf(s: Schema): fc.Arbitrary<unknown> {
  if (s.const !== undefined) return fc.constant(s.const);
  if (s.enum) return fc.constantFrom(...s.enum);
  const union = s.anyOf ?? s.oneOf;
  if (union) return fc.oneof(...union.map(arbitraryOf));
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  switch (type) {
    case 'string': {
      const minLength = s.minLength ?? 0;
      const maxLength = Math.min(s.maxLength ?? minLength + 24, minLength + 24);
      if (s.format === 'uuid') return fc.uuid({ version: 4 });
      if (s.format === 'email') return fc.emailAddress();
      if (s.pattern) {
        const within = (v: string) => v.length >= minLength && v.length <= (s.maxLength ?? Infinity);
        return fc.stringMatching(new RegExp(s.pattern)).filter(within);
      }
      return fc.string({ unit: 'grapheme-ascii', minLength, maxLength });
    }
    case 'integer':
      return fc.integer({
        min: s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : 0),
        max: s.maximum ?? (s.exclusiveMaximum !== undefined ? s.exclusiveMaximum - 1 : 1000),
      });
    case 'number':
      return fc.double({ min: s.minimum ?? 0, max: s.maximum ?? 1000, noNaN: true, noDefaultInfinity: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(s.items ? arbitraryOf(s.items) : fc.constant(null), {
        minLength: s.minItems ?? 0,
        maxLength: Math.min(s.maxItems ?? 3, (s.minItems ?? 0) + 3),
      });
    case 'object': {
      const props = Object.fromEntries(
        Object.entries(s.properties ?? {}).map(([k, v]) => [k, arbitraryOf(v)]),
      );
      return fc.record(props, { requiredKeys: s.required ?? [] });
    }
    default:
      return fc.constant({});
  }
}

/** Arguments the tool's own input schema accepts (the same ones on every run). */
export function sampleArgs(tool: Pick<AnyTool, 'name' | 'input'>): unknown {
  if (tool.name in EXAMPLE_ARGS) return EXAMPLE_ARGS[tool.name];
  let schema: Schema;
  try {
    schema = z.toJSONSchema(tool.input, { io: 'input', unrepresentable: 'any' }) as Schema;
  } catch (err) {
    throw new Error(
      `cannot read the input schema of tool ${tool.name}: add it to EXAMPLE_ARGS (${String(err)})`,
    );
  }
  for (const candidate of fc.sample(arbitraryOf(schema), { numRuns: 200, seed: 12 })) {
    if (tool.input.safeParse(candidate).success) return candidate;
  }
  throw new Error(
    `no sampled arguments satisfy tool ${tool.name}: add it to test/contracts/sample-args.ts EXAMPLE_ARGS`,
  );
}
