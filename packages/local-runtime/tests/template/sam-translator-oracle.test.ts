import { compareFixture, type FixtureOutcome, fixtureNames } from './sam-oracle/compare.ts';
import { AGREEING, KNOWN_DISAGREEMENTS } from './sam-oracle/expected.ts';

/**
 * The SAM transform checked against SAM's own translator: for each of the translator's fixtures with an API, the
 * routes the runtime serves from the SAM template equal those it serves from the translator's CloudFormation (see
 * sam-oracle/compare.ts for the scope). A fixture listed as agreeing must keep agreeing; each one left disagreeing is
 * listed with why in sam-oracle/expected.ts.
 */
const results: FixtureOutcome[] = fixtureNames().map(compareFixture);
const compared = results.filter((result) => result.outcome === 'agree' || result.outcome === 'disagree');
const agreeing = compared.filter((result) => result.outcome === 'agree');
const disagreeing = compared.flatMap((result) => (result.outcome === 'disagree' ? [result] : []));

const report = (): string =>
  [
    `sam transform: ${agreeing.length} of ${compared.length} fixtures agree`,
    `  (${results.filter((result) => result.outcome === 'refused-by-translator').length} fixtures in scope refused by the translator itself, not compared)`,
    ...disagreeing.map(
      (result) =>
        `  ${result.name}: ${KNOWN_DISAGREEMENTS[result.name] ?? 'NOT LISTED'}\n    ${result.difference.replaceAll('\n', '\n  ')}`,
    ),
    ...agreeing.flatMap((result) =>
      result.outcome === 'agree' && result.refused
        ? [`  ${result.name} agrees by both readings refusing it for the same reason: ${result.refused}`]
        : [],
    ),
    `  ${agreeing.filter((result) => result.outcome === 'agree' && result.deprecatedStage).length} agreeing fixtures also have the translator's deprecated \`Stage\` stage, which the SAM reading does not serve (as sam local start-api does not)`,
  ].join('\n');

beforeAll(() => {
  process.stdout.write(`\n${report()}\n`);
});

describe('sam transform: the runtime reads a SAM template as the SAM translator v1.110.0 translates it', () => {
  test('finds the fixtures in ../shared and compares the ones in scope', () => {
    expect(compared.length).toBeGreaterThan(200);
  });

  test('every fixture listed as agreeing agrees', () => {
    const stopped = [...AGREEING].filter((name) => !agreeing.some((result) => result.name === name));
    expect(stopped.map((name) => `${name}: ${disagreeing.find((result) => result.name === name)?.difference}`)).toEqual(
      [],
    );
  });

  test('every disagreement left is listed with why, and none listed agrees now', () => {
    expect(disagreeing.map((result) => result.name).filter((name) => KNOWN_DISAGREEMENTS[name] === undefined)).toEqual(
      [],
    );
    const nowAgreeing = agreeing.map((result) => result.name).filter((name) => KNOWN_DISAGREEMENTS[name] !== undefined);
    expect(nowAgreeing.map((name) => `${name} agrees now: move it to AGREEING`)).toEqual([]);
  });
});
