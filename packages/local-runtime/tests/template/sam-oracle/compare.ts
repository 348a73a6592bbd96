import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type RouteEntry, stackRouteTable } from '../../../src/runtime/route-table.ts';
import { isObject, loadYamlFile, type TemplateValue } from '../../../src/template/load.ts';
import { LocalStack } from '../../../src/template/stack.ts';
import { sharedFixtures } from '../../shared-fixtures.ts';

/**
 * The SAM translator's own test fixtures (aws/serverless-application-model v1.110.0, tests/translator/{input,output}):
 * each SAM template and the CloudFormation the translator makes of it. The runtime reads both, so the route table it
 * serves from one must equal the one it serves from the other.
 *
 * In scope: every fixture whose SAM template has an API — a name starting `api_`, `http_api_`, `websocket_api_` or
 * `implicit_`, or a template declaring AWS::Serverless::Api, HttpApi or WebSocketApi, AWS::ApiGateway::RestApi or
 * AWS::ApiGatewayV2::Api, or a function with an `Api` or `HttpApi` event. A fixture the translator itself refuses
 * (its output is an `errorMessage`, or there is none) is counted apart: there is nothing to compare with.
 */
export const translatorFixtures = (): string => sharedFixtures('sam-translator-v1.110.0');

const API_TYPES = /^AWS::(Serverless::(Api|HttpApi|WebSocketApi)|ApiGateway::RestApi|ApiGatewayV2::Api)$/;
const NAMED_IN_SCOPE = /^(api_|http_api_|websocket_api_|implicit_)/;

const hasApi = (template: TemplateValue): boolean => {
  const resources = isObject(template) && isObject(template.Resources) ? template.Resources : {};
  return Object.values(resources).some((resource) => {
    if (!isObject(resource)) return false;
    if (API_TYPES.test(String(resource.Type))) return true;
    const events = isObject(resource.Properties) ? resource.Properties.Events : undefined;
    return (
      isObject(events) &&
      Object.values(events).some((event) => isObject(event) && (event.Type === 'Api' || event.Type === 'HttpApi'))
    );
  });
};

export type FixtureOutcome =
  | { name: string; outcome: 'agree'; deprecatedStage?: boolean; refused?: string }
  | { name: string; outcome: 'disagree'; difference: string }
  | { name: string; outcome: 'refused-by-translator' }
  | { name: string; outcome: 'out-of-scope' };

/** The route table of one template, or the error the runtime refuses it with. */
const tableOf = (file: string): RouteEntry[] | string => {
  try {
    return stackRouteTable(new LocalStack({ templatePath: file }));
  } catch (error) {
    return `refused: ${(error as Error).message.split('\n')[0]}`;
  }
};

const show = (entry: RouteEntry | undefined) => (entry ? JSON.stringify(entry) : '(no route)');

/** The first difference between the two readings, or undefined when they agree. */
const differenceOf = (sam: RouteEntry[] | string, cfn: RouteEntry[] | string): string | undefined => {
  if (typeof sam === 'string' || typeof cfn === 'string') {
    // Both refused for the same reason (a parameter with no value, say), whichever resource named it.
    const reason = (table: RouteEntry[] | string) =>
      typeof table === 'string' ? table.replace(/^refused: (?:[\w.]+: )*/, '') : table;
    if (reason(sam) === reason(cfn)) return undefined;
    return `SAM reading ${typeof sam === 'string' ? sam : `${sam.length} routes`}; translator's output ${typeof cfn === 'string' ? cfn : `${cfn.length} routes`}`;
  }
  for (let index = 0; index < Math.max(sam.length, cfn.length); index++) {
    if (JSON.stringify(sam[index]) !== JSON.stringify(cfn[index])) {
      return `${sam.length} vs ${cfn.length} routes; first difference:\n    SAM: ${show(sam[index])}\n    CFN: ${show(cfn[index])}`;
    }
  }
  return undefined;
};

export const compareFixture = (name: string): FixtureOutcome => {
  const dir = translatorFixtures();
  const input = join(dir, 'input', `${name}.yaml`);
  const output = join(dir, 'output', `${name}.json`);
  let template: TemplateValue;
  try {
    template = loadYamlFile(input);
  } catch {
    return { name, outcome: 'out-of-scope' };
  }
  if (!NAMED_IN_SCOPE.test(name) && !hasApi(template)) return { name, outcome: 'out-of-scope' };
  if (!existsSync(output)) return { name, outcome: 'refused-by-translator' };
  const translated: unknown = JSON.parse(readFileSync(output, 'utf8'));
  if (isObject(translated as TemplateValue) && 'errorMessage' in (translated as object)) {
    return { name, outcome: 'refused-by-translator' };
  }
  const sam = tableOf(input);
  let cfn = tableOf(output);
  // Without OpenApiVersion the translator's Deployment also names a stage `Stage` (SAM developer guide,
  // "AWS::Serverless::Api": OpenApiVersion "removes the stage Stage that SAM creates"). The runtime's SAM reading
  // serves the declared stage only, as `sam local start-api` does: that stage is compared, and the fixture noted.
  let deprecatedStage = false;
  if (typeof sam !== 'string' && typeof cfn !== 'string') {
    const samStages = new Set(sam.map((entry) => `${entry.api}/${entry.stage}`));
    const kept = cfn.filter(
      (entry) => !(entry.kind === 'REST' && entry.stage === 'Stage' && !samStages.has(`${entry.api}/Stage`)),
    );
    deprecatedStage = kept.length < cfn.length;
    cfn = kept;
  }
  const difference = differenceOf(sam, cfn);
  if (difference !== undefined) return { name, outcome: 'disagree', difference };
  return {
    name,
    outcome: 'agree',
    ...(deprecatedStage ? { deprecatedStage } : {}),
    ...(typeof sam === 'string' ? { refused: sam } : {}),
  };
};

export const fixtureNames = (): string[] =>
  readdirSync(join(translatorFixtures(), 'input'))
    .filter((file) => file.endsWith('.yaml'))
    .map((file) => file.slice(0, -'.yaml'.length))
    .sort();
