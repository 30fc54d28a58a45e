// The readiness guidance route serves the same anchors, presets and mode table the CLI and the runtime use.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, buildApi } from '../../../test/support/api.ts';
import { LAYER_GUIDANCE } from '../../readiness/guidance.ts';
import { MODE_ALLOWS } from '../../readiness/model.ts';
import { READINESS_PRESETS } from '../../readiness/presets.ts';

let api: Api;
beforeAll(async () => {
  api = await buildApi();
});
afterAll(() => api.close());

describe('GET /api/readiness/guidance', () => {
  it('returns the layer anchors, the reference presets and what each mode allows', async () => {
    const res = await api.as('viewer').get('/api/readiness/guidance');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.layers).toEqual(JSON.parse(JSON.stringify(LAYER_GUIDANCE)));
    expect(body.presets).toEqual(READINESS_PRESETS);
    expect(body.modeAllows).toEqual(MODE_ALLOWS);
    expect(Object.keys(body.layers.clarity.scores)).toEqual(['1', '2', '3', '4', '5']);
  });
});
