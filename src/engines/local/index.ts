// Public surface of the local engine.
export type {
  CalibrationJob,
  CalibrationRows,
  EngineHealth,
  EngineMatch,
  EngineResult,
  FaqEntryInput,
  PassageInput,
  TrainInput,
  TrainOptions,
} from './engine.ts';
export { LocalEngine } from './engine.ts';
export { normalizeText } from './normalize.ts';
