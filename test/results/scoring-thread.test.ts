import { describe, expect, it } from 'vitest';
import { computeOfficialScores, computeResults } from '../../scoring/index.js';
import { AppError } from '../../server/errors.js';
import { scoreOffThread } from '../../server/results/scoring-thread.js';
import { dept, method } from '../scoring/helpers.js';
import { syntheticCampaign } from '../scoring/synthetic.js';

const withBootstrap = method({ bootstrap: { samples: 201, seed: 11 } });
const { departments, responses } = syntheticCampaign(withBootstrap, {
  evaluators: 600,
  departments: 12,
  perEvaluator: 5,
  copyClusters: 1,
  cheaterShare: 0.05,
});

describe('scoring in a worker thread', () => {
  it('gives the full result, bootstrap split over two threads included, equal to the byte to the in-process one', async () => {
    const { result } = await scoreOffThread({ method: withBootstrap, departments, responses, uncertainty: true });
    expect(JSON.stringify(result)).toBe(JSON.stringify(computeResults(withBootstrap, departments, responses)));
  });

  it('gives the official scores without the bootstrap equal to the in-process ones', async () => {
    const { result } = await scoreOffThread({ method: withBootstrap, departments, responses, uncertainty: false });
    expect(JSON.stringify(result)).toBe(JSON.stringify(computeOfficialScores(withBootstrap, departments, responses)));
  });

  it('sends no result back when the inputs hash is the one the caller already holds', async () => {
    const first = await scoreOffThread({ method: withBootstrap, departments, responses, uncertainty: false });
    const again = await scoreOffThread({
      method: withBootstrap,
      departments,
      responses,
      uncertainty: false,
      knownHash: first.hash,
    });
    expect(again).toEqual({ hash: first.hash, result: null });
  });

  it('refuses inputs the scoring cannot use with a 409 naming the issue, and keeps scoring afterwards', async () => {
    const bad = [{ ...responses[0], departments: [{ code: 'NOPE', ratings: {}, problems: [], negatives: [] }] }];
    const refused = await scoreOffThread({
      method: withBootstrap,
      departments: [dept('D001')],
      responses: bad,
      uncertainty: true,
    }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(AppError);
    expect((refused as AppError).code).toBe('CONFLICT');
    expect((refused as AppError).details?.length).toBeGreaterThan(0);
    const { result } = await scoreOffThread({ method: withBootstrap, departments, responses, uncertainty: false });
    expect(result?.inputs.responses).toBe(responses.length);
  });
});
