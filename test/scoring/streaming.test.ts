import { describe, expect, it } from 'vitest';
import { computeResults, inputsCompiler, prepareInputs, resultsFrom, ScoringInputError } from '../../scoring/index.js';
import type { ResponseRecord } from '../../scoring/types.js';
import { dept, method, response, S, X } from './helpers.js';
import { syntheticCampaign, syntheticStream } from './synthetic.js';

const withBootstrap = method({ bootstrap: { samples: 150, seed: 3 } });
const options = { evaluators: 700, departments: 15, perEvaluator: 6, cheaterShare: 0.03, copyClusters: 2 };

/** the full result of responses added one at a time */
function streamed(
  responses: Iterable<ResponseRecord>,
  departments = syntheticCampaign(withBootstrap, options).departments,
) {
  const c = inputsCompiler(withBootstrap, departments);
  for (const r of responses) c.add(r);
  return resultsFrom(prepareInputs(c.finish()), true);
}

describe('responses compiled one at a time as they arrive', () => {
  const { departments, responses } = syntheticCampaign(withBootstrap, options);
  const whole = JSON.stringify(computeResults(withBootstrap, departments, responses));

  it('give the full result, inputs hash included, equal to the byte to the responses given together', () => {
    expect(JSON.stringify(streamed(syntheticStream(withBootstrap, options).responses))).toBe(whole);
  });

  it('in any order: arriving by descending id gives the same result', () => {
    const result = streamed([...responses].reverse());
    expect(JSON.stringify(result)).toBe(whole);
  });

  it('from a generator, through computeResults', () => {
    const { departments: d, responses: lazy } = syntheticStream(withBootstrap, options);
    expect(JSON.stringify(computeResults(withBootstrap, d, lazy))).toBe(whole);
  });

  it('refuse what the responses given together refuse, with the same issues in the same order', () => {
    const bad = [
      response('project', [{ code: 'A', eff: 'great' }], { id: 'r3' }),
      response('nobody', [{ code: 'A', eff: S }], { id: 'r2' }),
      response('project', [{ code: 'A', eff: X }], { id: 'r2' }),
      response('project', [{ code: 'Z', eff: S }], { id: 'r1' }),
    ];
    const issues = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        if (error instanceof ScoringInputError) return error.issues;
      }
      return [];
    };
    const c = inputsCompiler(withBootstrap, [dept('A')]);
    for (const r of bad) c.add(r);
    const one = issues(() => c.finish());
    expect(one).toEqual(['response "r2": unknown category "nobody"', 'duplicate response id "r2"']);
    expect(issues(() => computeResults(withBootstrap, [dept('A')], bad))).toEqual(one);
    // without those, the issues inside the departments, by response id
    const inside = [bad[0], bad[3]];
    expect(issues(() => computeResults(withBootstrap, [dept('A')], inside))).toEqual([
      'response "r1": unknown department "Z"',
      'response "r3", department "A": unknown level "great" for item "efficiency"',
    ]);
  });
});
