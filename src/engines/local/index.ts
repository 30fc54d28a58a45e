// Public surface of the local engine.
export type {
  CalibrationJob,
  CalibrationRows,
  EngineMatch,
  EngineResult,
  FaqEntryInput,
  PassageInput,
  TrainInput,
  TrainOptions,
} from './engine.ts';
export { LocalEngine } from './engine.ts';
export { normalizeText } from './normalize.ts';
