// The rubric as people edit it (PATCH /api/jobs/:id): validated here, so a bad one is refused naming its path.
import { z } from 'zod';
import type { Rubric } from './engine/index.ts';

const Term = z
  .string()
  .trim()
  .min(1)
  .max(80)
  .transform((s) => s.toLowerCase());

export const CriterionSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'a slug: lower-case letters, digits and dashes'),
    label: z.string().trim().min(1).max(200),
    kind: z.enum(['skill', 'experience', 'degree', 'certification', 'language', 'other']),
    required: z.boolean(),
    weight: z.number().int().min(1).max(5),
    terms: z.array(Term).max(50),
    minYears: z.number().min(0).max(60).optional(),
  })
  .strict();

export const RubricSchema = z
  .object({
    criteria: z.array(CriterionSchema).min(1, 'a rubric needs at least one criterion').max(50),
    // Left out: the job's threshold.
    threshold: z.number().int().min(0).max(100).optional(),
  })
  .strict()
  .superRefine((r, ctx) => {
    const seen = new Set<string>();
    r.criteria.forEach((c, i) => {
      if (seen.has(c.id))
        ctx.addIssue({
          code: 'custom',
          path: ['criteria', i, 'id'],
          message: `the id ${c.id} is used twice`,
        });
      seen.add(c.id);
    });
  }) as z.ZodType<Omit<Rubric, 'threshold'> & { threshold?: number }>;
