// Packages a node may never need (SMTP and IMAP, mail parsing, password strength, HTML to text) are loaded on first
// use, not at every start: together they held ~20 MB of heap in an idle `twelve start` that used none of them
// (`npm run bench -- footprint`). Synchronous, for call sites that are: a package with a CommonJS build is required.
import { createRequire } from 'node:module';

const load = createRequire(import.meta.url);

/** A getter for a package's exports, required the first time it is called. */
export function lazy<T>(id: string): () => T {
  let mod: T | undefined;
  return () => {
    mod ??= load(id) as T;
    return mod;
  };
}
