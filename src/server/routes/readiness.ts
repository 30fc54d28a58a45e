// Readiness guidance for the dashboard's assessment form: what each score means per layer, the reference cases,
// and what each mode lets an agent do. Static data, served from the same modules the CLI and the runtime read.
import type { FastifyInstance } from 'fastify';
import type { App } from '../../app.ts';
import { LAYER_GUIDANCE } from '../../readiness/guidance.ts';
import { MODE_ALLOWS } from '../../readiness/model.ts';
import { READINESS_PRESETS } from '../../readiness/presets.ts';
import { route } from '../http.ts';

export function registerReadinessRoutes(server: FastifyInstance, app: App): void {
  route(
    server,
    app,
    {
      method: 'GET',
      url: '/api/readiness/guidance',
      summary: 'Score anchors per layer, reference presets and what each mode allows',
      tags: ['readiness'],
      permission: 'readiness.read',
    },
    async () => ({ layers: LAYER_GUIDANCE, presets: READINESS_PRESETS, modeAllows: MODE_ALLOWS }),
  );
}
