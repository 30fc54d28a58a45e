// The per-agent measurement settings (agent.config.measurement): the minutes a person would spend on what the agent
// resolves, and what an hour of a person's time costs. Either may be left out: the agent's kind gives a default for
// the minutes (with where it comes from), the platform one for the rate. No import beyond zod: the agent settings
// schema (runtime/agents.ts) checks the key with it on create and update.
import { z } from 'zod';

export const MeasurementSettingsSchema = z
  .object({
    /** Minutes a person would spend on one conversation the agent resolves. */
    minutesPerTask: z.number().min(0).max(480).optional(),
    /** What an hour of a person's time costs, in cents (the currency of the spend ledger). */
    hourlyRateCents: z.number().int().min(0).max(1_000_000).optional(),
  })
  .strict();

export type MeasurementSettings = z.infer<typeof MeasurementSettingsSchema>;

/** A kind's default minutes per AI-resolved conversation, and where the figure comes from (shown with it). */
export interface TaskMinutesDefault {
  minutesPerTask: number;
  source: string;
}

/**
 * The platform's defaults, used when neither the agent nor its kind sets a figure. Derived from the reference figures
 * of issue 22 (about $6–15 for a conversation a person handles): 10 minutes at $45 an hour is $7.50.
 */
export const PLATFORM_DEFAULTS = {
  minutesPerTask: 10,
  hourlyRateCents: 4500,
  source:
    'Twelve default: 10 minutes at $45/h ($7.50), inside the $6–15 reference cost of a human conversation',
} as const;

export interface ResolvedMeasurementSettings {
  minutesPerTask: number;
  minutesPerTaskSource: string;
  hourlyRateCents: number;
  hourlyRateSource: string;
}

/** The settings in force for an agent: its own, else its kind's default, else the platform's; each with its source. */
export function resolveMeasurementSettings(
  config: Record<string, unknown>,
  kindDefault: TaskMinutesDefault | undefined,
): ResolvedMeasurementSettings {
  const parsed = MeasurementSettingsSchema.safeParse(config.measurement ?? {});
  const own = parsed.success ? parsed.data : {};
  return {
    minutesPerTask: own.minutesPerTask ?? kindDefault?.minutesPerTask ?? PLATFORM_DEFAULTS.minutesPerTask,
    minutesPerTaskSource:
      own.minutesPerTask !== undefined
        ? 'agent setting (config.measurement.minutesPerTask)'
        : (kindDefault?.source ?? PLATFORM_DEFAULTS.source),
    hourlyRateCents: own.hourlyRateCents ?? PLATFORM_DEFAULTS.hourlyRateCents,
    hourlyRateSource:
      own.hourlyRateCents !== undefined
        ? 'agent setting (config.measurement.hourlyRateCents)'
        : 'Twelve default: $45/h',
  };
}
