#!/usr/bin/env node
// Entry point of the `twelve` CLI: registers tsx so the TypeScript sources run directly, then hands over.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
