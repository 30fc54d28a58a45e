// Builds the chat widget into dist/widget/widget.js (the same bytes GET /widget.js serves) for hosting on a CDN,
// and prints its size; the server itself needs no build step (src/channels/webchat/bundle.ts builds in memory).
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildWidget } from '../src/channels/webchat/bundle.ts';

const out = fileURLToPath(new URL('../dist/widget/', import.meta.url));
const bundle = await buildWidget();
mkdirSync(out, { recursive: true });
writeFileSync(`${out}widget.js`, bundle.js);
writeFileSync(`${out}widget.js.gz`, bundle.gzip);
const kb = (n: number) => `${(n / 1024).toFixed(1)} kB`;
console.log(`widget: dist/widget/widget.js ${kb(bundle.js.length)} (gzip ${kb(bundle.gzip.length)})`);
