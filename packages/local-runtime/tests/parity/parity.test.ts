import { type RunningRuntime, startRuntime } from '../../src/testing/index.ts';
// common, http, extended, basic, canary, api
import { type Backend, startBackend } from './backend.ts';
import { differences } from './compare.ts';
import { EXPECTED_TO_MATCH, KNOWN_MISMATCHES } from './expected.ts';
import { NOT_APPLICABLE } from './not-applicable.ts';
import { citation, recorded } from './recordings.ts';
import type { Bases, Scenario } from './scenario.ts';
import { awsServices } from './scenarios/aws-services.ts';
import { common } from './scenarios/common.ts';
import { headerRemapping } from './scenarios/header-remapping.ts';
import { httpIntegrations } from './scenarios/http-integrations.ts';
import { importedApi } from './scenarios/imported-api.ts';
import { kinesis } from './scenarios/kinesis.ts';
import { lambdaCustom } from './scenarios/lambda-custom.ts';
import { lambdaProxyAnswers } from './scenarios/lambda-proxy-answers.ts';
import { lambdaProxyEvents } from './scenarios/lambda-proxy-events.ts';
import { mappingTemplates } from './scenarios/mapping-templates.ts';
import { mockIntegrations } from './scenarios/mock-integrations.ts';
import { requestOverrides } from './scenarios/request-overrides.ts';
import { requestValidation } from './scenarios/request-validation.ts';
import { s3 } from './scenarios/s3.ts';
import { services } from './scenarios/services.ts';
import { traceId } from './scenarios/trace-id.ts';

/**
 * The parity suite: recordings of Amazon API Gateway made on AWS (see recordings.ts) replayed against the runtime
 * running fixture/template.yaml, which reproduces each recorded test's set-up. It reports how many match by area; it
 * fails only when a recording listed in expected.ts stops matching (fixed behaviours have their own tests).
 */
const SCENARIOS: Scenario[] = [
  ...lambdaProxyEvents,
  ...lambdaProxyAnswers,
  ...traceId,
  ...requestValidation,
  ...mappingTemplates,
  ...services,
  // integrations, lambda, services, import
  ...lambdaCustom,
  ...requestOverrides,
  ...awsServices,
  ...kinesis,
  ...headerRemapping,
  ...importedApi,
  // end: integrations, lambda, services, import
  // common, http, extended, basic, canary, api
  ...common,
  ...httpIntegrations,
  ...mockIntegrations,
  ...s3,
  ...NOT_APPLICABLE,
];

let runtime: RunningRuntime;
let bases: Bases;
// One local back end for both templates' HTTP integrations: the first template's (header remapping, imported API)
// reach it at EchoHost, the second's (common, http, extended, basic, canary, api) at EchoBackend.
let backend: Backend;
let gatewayRuntime: RunningRuntime;
// test_apigateway_s3.py's APIs, on their own runtime (fixture/s3-template.yaml): their buckets' objects are theirs.
let s3Runtime: RunningRuntime;

beforeAll(async () => {
  backend = await startBackend();
  [runtime, gatewayRuntime, s3Runtime] = await Promise.all([
    startRuntime([
      '--template',
      'packages/local-runtime/tests/parity/fixture/template.yaml',
      '--parameter-overrides',
      `EchoHost=${backend.host}`,
    ]),
    startRuntime([
      '--template',
      'packages/local-runtime/tests/parity/fixture/gateway-template.yaml',
      '--parameter-overrides',
      `EchoBackend=${backend.url}`,
    ]),
    startRuntime(['--template', 'packages/local-runtime/tests/parity/fixture/s3-template.yaml']),
  ]);
  bases = Object.fromEntries(
    [...runtime.info.apis, ...gatewayRuntime.info.apis, ...s3Runtime.info.apis].map((api) => [api.logicalId, api.url]),
  );
}, 120_000);

afterAll(async () => {
  await Promise.all([runtime?.stop(), gatewayRuntime?.stop(), s3Runtime?.stop()]);
  await backend?.close();
});

const nameOf = (scenario: Scenario) => `${scenario.id.test} "${scenario.id.key}"`;

interface Result {
  scenario: Scenario;
  differences: string[];
}

const check = async (scenario: Scenario): Promise<Result> => {
  if (!scenario.run) {
    recorded(scenario.id); // a not-applicable recording is cited: it must exist
    return { scenario, differences: [] };
  }
  const outcome = await scenario.run(bases, scenario.fixture === 's3' ? s3Runtime : runtime);
  const found = differences(recorded(scenario.id), outcome.value, scenario.masks);
  if (scenario.status !== undefined && outcome.status !== scenario.status) {
    found.unshift(`status: the test asserted ${scenario.status}, got ${outcome.status}`);
  }
  return { scenario, differences: found };
};

const report = (results: Result[]): string => {
  const lines: string[] = [];
  const areas = [...new Set(results.map((result) => result.scenario.area))];
  let matched = 0;
  let applicable = 0;
  for (const area of areas) {
    const inArea = results.filter((result) => result.scenario.area === area && !result.scenario.notApplicable);
    const ok = inArea.filter((result) => result.differences.length === 0).length;
    matched += ok;
    applicable += inArea.length;
    if (inArea.length > 0) lines.push(`  ${area}: ${ok} of ${inArea.length}`);
  }
  lines.unshift(`parity: ${matched} of ${applicable} recordings match`);
  const mismatches = results.filter((result) => !result.scenario.notApplicable && result.differences.length > 0);
  if (mismatches.length > 0) lines.push('', 'not matching:');
  for (const { scenario, differences: found } of mismatches) {
    const why = KNOWN_MISMATCHES[nameOf(scenario)];
    lines.push(
      `  ${citation(scenario.id)}${why ? ` (${why})` : ''}`,
      ...found.slice(0, 6).map((line) => `      ${line}`),
    );
    if (found.length > 6) lines.push(`      … ${found.length - 6} more`);
  }
  const notApplicable = results.filter((result) => result.scenario.notApplicable);
  if (notApplicable.length > 0) lines.push('', 'not applicable:');
  for (const { scenario } of notApplicable) lines.push(`  ${citation(scenario.id)}: ${scenario.notApplicable}`);
  return lines.join('\n');
};

test('parity with the responses recorded on AWS', async () => {
  const results: Result[] = [];
  for (const scenario of SCENARIOS) results.push(await check(scenario));
  process.stdout.write(`\n${report(results)}\n`);
  const matching = results.filter((result) => !result.scenario.notApplicable && result.differences.length === 0);
  const newlyMatching = matching
    .map((result) => nameOf(result.scenario))
    .filter((name) => !EXPECTED_TO_MATCH.has(name));
  if (newlyMatching.length > 0)
    process.stdout.write(`\nnow matching, add to expected.ts:\n  ${newlyMatching.join('\n  ')}\n`);
  const regressions = results
    .filter((result) => EXPECTED_TO_MATCH.has(nameOf(result.scenario)) && result.differences.length > 0)
    .map((result) => ({ recording: citation(result.scenario.id), differences: result.differences }));
  expect(regressions).toEqual([]);
}, 120_000);
