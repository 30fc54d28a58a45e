// How a CLI command opens Twelve: the configured database (PGlite folder or server) and an assembled app with the
// LLM settings the configuration checked. Kinds' commands get this as their CliAppOpener (agents/kind.ts).
import { type App, createApp } from '../app.ts';
import { loadConfig } from '../config.ts';
import { openDatabase } from '../store/open.ts';
import type { CliIo } from './command.ts';

export async function openCliApp(io: Pick<CliIo, 'env'>): Promise<App> {
  const config = loadConfig(io.env);
  const db = await openDatabase(config);
  return createApp(db, { llm: config.llm });
}
