import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { call } from '../../src/testing/index.ts';
import { fixtureRuntime, fixtureTemplate } from '../fixture-runtime.ts';
import { runCommand } from '../lambda-api/start-lambda-process.ts';

/**
 * Nested stacks whose templates are local files, black-box: a SAM application (Globals, a parameter passed as the
 * parent's expression, one left at its default, a condition, an implicit API of its own) and a CloudFormation stack
 * of raw resources are served beside the parent's own API; their outputs reach the parent through
 * `Fn::GetAtt Child.Outputs.X`; an application in the Serverless Application Repository is named as not run.
 */
const FIXTURE = fixtureTemplate('nested-stacks');
const runtime = fixtureRuntime('nested-stacks');

const apiUrl = (logicalId: string): string => {
  const api = runtime.info.apis.find((candidate) => candidate.logicalId === logicalId);
  if (!api) throw new Error(`no API ${logicalId}: ${JSON.stringify(runtime.info.apis)}`);
  return api.url;
};

const get = async (url: string) => {
  const answer = await call(url);
  return { status: answer.status, body: answer.json() };
};

it("serves a local SAM application's own implicit API and function, with the parent's parameters and its Globals", async () => {
  expect(await get(`${apiUrl('GreeterAppServerlessRestApi')}/hello`)).toEqual({
    status: 200,
    body: { greeting: 'hello', audience: 'us-east-1 developers', loud: 'no', fromGlobals: 'child globals' },
  });
});

it("serves a local CloudFormation stack's raw API and function", async () => {
  expect(await get(`${apiUrl('RawStackRawApi')}/`)).toEqual({ status: 200, body: { from: 'raw nested stack' } });
});

it("gives the parent the children's outputs through Fn::GetAtt Child.Outputs.X", async () => {
  const { status, body } = await get(`${apiUrl('ServerlessRestApi')}/parent`);
  expect(status).toBe(200);
  const { childFunction, raw } = body as { childFunction: string; raw: string };
  expect(childFunction).toMatch(/GreeterAppHelloFunction/);
  expect(raw).toMatch(/^raw function is arn:aws:lambda:us-east-1:123456789012:function:.*RawStackRawFunction/);
  expect(runtime.output()).not.toMatch(/Outputs\.\w+: not known locally/);
});

it('names a nested stack whose template is not a local file at start-up', () => {
  expect(runtime.output()).toMatch(
    /RemoteApp \(AWS::Serverless::Application\): nested stack not run: a Serverless Application Repository application/,
  );
});

it('reports a served nested stack only as served, never as unsupported', () => {
  expect(runtime.output()).toMatch(
    /GreeterApp \(AWS::Serverless::Application\): nested stack served from .*child\/template\.yaml/,
  );
  expect(runtime.output()).not.toMatch(/(GreeterApp|RawStack) \([^)]*\): resource type not supported/);
});

it('invoke names a nested function as SAM CLI does: Stack/Function', async () => {
  const buildDir = mkdtempSync(join(tmpdir(), 'local-runtime-nested-'));
  const { code, stdout } = await runCommand([
    'invoke',
    'GreeterApp/HelloFunction',
    '-t',
    FIXTURE,
    '--build-dir',
    buildDir,
  ]);
  expect(code).toBe(0);
  expect(JSON.parse(JSON.parse(stdout).body as string)).toMatchObject({
    greeting: 'hello',
    fromGlobals: 'child globals',
  });
}, 120_000);
