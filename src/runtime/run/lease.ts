// What the start of a step reads (ARCHITECTURE "A run, step by step" 1), returned by the statement that renews the
// run's lease, by a tool call's outcome statement (which renews it for the next step), or, for a run's first step,
// by the statement that writes the run: the run, the agent's status, the global kill switch, any open tool call, and
// what the agent's kind asks for its brain (BrainInputs, evaluated where `r` is the run's row and `a` the agent's).
import { presentRunRow, type Run } from '../runs.ts';
import type { BrainContext, BrainInputs } from '../types.ts';
import type { RunContext } from './context.ts';

export function brainInputsOf(ctx: RunContext, kind: string): BrainInputs | undefined {
  return ctx.opts.brainInputsFor?.(kind);
}

/** The columns a statement adds for the kind's brain inputs: the step's, and with `start` the run start's. */
export function brainInputColumns(inputs: BrainInputs | undefined, start: boolean): string {
  let columns = '';
  if (inputs?.step !== undefined) columns += `, (${inputs.step}) AS brain_input_step`;
  if (start && inputs?.start !== undefined) columns += `, (${inputs.start}) AS brain_input_start`;
  return columns;
}

/** BrainContext.inputs from the row that started a step; the run start's input on the run's first step only. */
export function brainInputsFrom(row: Record<string, unknown>, firstStep: boolean): BrainContext['inputs'] {
  const inputs: BrainContext['inputs'] = {};
  if ('brain_input_step' in row) inputs.step = row.brain_input_step;
  if (firstStep && 'brain_input_start' in row) inputs.start = row.brain_input_start;
  return inputs;
}

/**
 * The RETURNING clause of a lease renewal (`UPDATE runs r … FROM agents a`); `excludeCall`: a call still closing.
 * Not the run's own columns: while this driver holds the lease and the run is running (the renewal's condition),
 * nothing else moves them, and the driver knows what it wrote (applyLeaseRow).
 */
export function leaseReturning(inputs: BrainInputs | undefined, excludeCall: string): string {
  return `RETURNING a.status AS agent_status,
    (SELECT value->>'engaged' FROM settings WHERE key = 'kill_switch') AS kill${brainInputColumns(inputs, false)},
    (SELECT row_to_json(tc) FROM tool_calls tc WHERE tc.run_id = r.id AND tc.id IS DISTINCT FROM ${excludeCall}
       AND tc.status IN ('pending', 'ready', 'executing') ORDER BY tc.step_idx DESC LIMIT 1) AS open_call`;
}

/**
 * The run as a step starts it: a run's first row (its start statement, or the lease taken by a driver that did not
 * write it) carries the run's columns; a lease renewal does not, and the run is the driver's, renewed `now`.
 */
export function applyLeaseRow(run: Run, row: Record<string, unknown>, now: Date): Run {
  if ('trigger' in row) return presentRunRow(row);
  run.updatedAt = now;
  return run;
}
