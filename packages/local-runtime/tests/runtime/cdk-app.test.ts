import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { call, runtimeForSuite, startRuntime } from '../../src/testing/index.ts';

/**
 * A CDK app's synthesized template, run as `sam local start-api -t cdk.out/<Stack>.template.json` runs it: the
 * function's code is the asset folder its `aws:asset:path` metadata names (its Code is the S3 object CDK would
 * upload), and its API is raw AWS::ApiGateway resources whose integration URI is a Fn::Join of the function's Arn.
 * The fixture is copied out of this repository, into a project whose package.json says `"type": "module"`: the
 * asset's CommonJS bundle still loads as Lambda, which runs the asset folder alone, loads it.
 */
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cdk-app-'));
  cpSync(fileURLToPath(new URL('../fixtures/cdk-app', import.meta.url)), dir, { recursive: true });
  // A CDK project written as ES modules: its asset's CommonJS bundle must still load as Lambda loads it.
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'cdk-app', type: 'module' }));
});
const runtime = runtimeForSuite(() => ['-t', join(dir, 'cdk.out', 'CdkAppStack.template.json')]);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it("runs the function's asset folder behind the API's {proxy+} and root methods", async () => {
  const answer = await call(`${runtime.info.restUrl}/prod/items/7`);
  expect({ status: answer.status, body: answer.json() }).toEqual({
    status: 200,
    body: { from: 'cdk asset', table: expect.stringContaining('ItemsTable5AAC2C46'), path: '/items/7' },
  });
  const root = await call(`${runtime.info.restUrl}/prod/`, { method: 'POST' });
  expect(root.status).toBe(200);
});

it('reports nothing of the synthesized template as unsupported or not run', () => {
  expect(runtime.output()).not.toMatch(/Not run locally/);
  expect(runtime.output()).toMatch(/No local effect[^\n]*AWS::CDK::Metadata/);
});

it("runs a CDK HTTP API stack (AWS::ApiGatewayV2 resources, the integration's IntegrationUri the function's Arn)", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cdk-http-'));
  cpSync(fileURLToPath(new URL('../fixtures/cdk-app', import.meta.url)), dir, { recursive: true });
  const http = await startRuntime(['-t', join(dir, 'cdk.out', 'CdkHttpStack.template.json')]);
  try {
    const answer = await call(`${http.info.apis[0]?.url}/items`);
    expect({ status: answer.status, body: answer.json() }).toEqual({
      status: 200,
      body: { from: 'cdk asset', table: 'http-items' },
    });
  } finally {
    await http.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}, 120_000);
