// The dashboard build: a single-page React app under web/, built to web/dist and served by src/server/static.ts.
// `npm run build` builds it; `npx vite --config web/vite.config.ts` serves it with hot reload, proxying the API
// to a running `twelve start` (TWELVE_API, default http://127.0.0.1:8787).
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const api = process.env.TWELVE_API ?? 'http://127.0.0.1:8787';

export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // One small app: a single chunk loads faster than a waterfall of route chunks.
    reportCompressedSize: true,
    chunkSizeWarningLimit: 400,
  },
  server: {
    proxy: { '/api': { target: api, changeOrigin: false } },
  },
});
