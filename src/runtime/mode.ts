// The mode a run is driven in (DESIGN §1). A leaf: the runtime (policy, runs, approvals) and the readiness model
// both import it, so the runtime never imports src/readiness/ (readiness depends on the runtime, not back).
// readiness/model.ts decides which mode an agent gets and re-exports the type for its callers.
export type Mode = 'production' | 'pilot' | 'shadow';
