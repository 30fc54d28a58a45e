// Training off the main thread: a large knowledge base trains in a worker thread and comes back as the same engine.
import { describe, expect, it } from 'vitest';
import { LocalEngine, type TrainInput } from '../../engines/local/index.ts';
import { trainEngine, WORKER_TRAINING_TEXTS } from './engine-cache.ts';

const input: TrainInput = {
  entries: [
    {
      id: 'hours',
      title: 'Opening hours',
      answer: 'Nine to five.',
      phrasings: ['When are you open?', 'opening hours'],
    },
    { id: 'refund', answer: 'Five days.', phrasings: ['How do I get a refund?', 'I want my money back'] },
    { id: 'ship', answer: 'Free above 50.', phrasings: ['How much is shipping?', 'delivery fees'] },
  ],
  passages: [{ id: 'p1', text: 'Parcels travel with DHL and arrive within three days.' }],
  negatives: ['close my account'],
};

describe('trainEngine', () => {
  it('trains a small knowledge base on this thread', async () => {
    const r = await trainEngine(input);
    expect(8).toBeLessThan(WORKER_TRAINING_TEXTS); // 6 phrasings, 1 title, 1 passage
    expect(r.trainedIn).toBe('thread');
  });

  it('trains in a worker thread from the threshold on, to the same engine', async () => {
    const here = LocalEngine.train(input);
    const r = await trainEngine(input, { workerFrom: 1 });
    expect(r.trainedIn).toBe('worker');
    expect(JSON.stringify(r.engine.toJSON())).toBe(JSON.stringify(here.toJSON()));
    for (const q of ['when do you open', 'refund please', 'dhl parcel', 'close my account', 'zzz']) {
      expect(r.engine.match(q, 3)).toEqual(here.match(q, 3));
    }
  });

  it('reports a training that fails in the worker as an error', async () => {
    const broken = { entries: [{ id: 'x', answer: 'y', phrasings: 42 }] } as unknown as TrainInput;
    await expect(trainEngine(broken, { workerFrom: 0 })).rejects.toThrow(/training failed/);
  });
});
