import { call, startRuntime } from '../../src/testing/index.ts';
import { fixtureRuntime, fixtureTemplate } from '../fixture-runtime.ts';

/**
 * Constructs the runtime does not fully run either refuse or are named at start-up with what they mean for the
 * requests; a stack CloudFormation refuses (two functions with one FunctionName) does not start. Black-box.
 */

describe('named or refused', () => {
  const runtime = fixtureRuntime('fails-closed');
  let origin: string;

  beforeAll(() => {
    origin = runtime.info.restUrl;
  });

  it('runs a TenancyConfig function and names what tenant isolation means locally', async () => {
    expect((await call(`${origin}/Prod/tenant`)).status).toBe(200);
    expect(runtime.output()).toMatch(/TenantFunction\.TenancyConfig \(PER_TENANT\): tenants are not isolated locally/);
  });

  it('does not run a durable function (DurableConfig), and says so', async () => {
    expect((await call(`${origin}/Prod/durable`)).status).toBe(502);
    expect(runtime.output()).toMatch(
      /DurableFunction: not run: DurableConfig: durable execution .* is not hosted locally/,
    );
  });

  it('names the AppConfig extension layer and what the function meets without it', async () => {
    expect((await call(`${origin}/Prod/appconfig`)).status).toBe(200);
    expect(runtime.output()).toMatch(
      /AppConfigFunction\.Layers: the AWS AppConfig extension is not run: the function's requests to http:\/\/localhost:2772/,
    );
  });

  it('refuses every method of an API whose Auth.ResourcePolicy it does not enforce, and names it', async () => {
    const answer = await call(`${origin}/guarded/open`);
    expect(answer.status).toBe(403);
    expect(runtime.output()).toMatch(/PolicyApi.*(ResourcePolicy|resource policy)/);
  });

  it("refuses every method of a RestApi whose Policy it does not enforce (the translator's output), and names it", async () => {
    const answer = await call(`${origin}/policied/open`);
    expect({ status: answer.status, body: answer.json() }).toEqual({
      status: 403,
      body: { message: 'User is not authorized to access this resource' },
    });
    expect(runtime.output()).toMatch(/PolicyRestApi: Policy \(a resource policy\): not enforced locally/);
  });

  it('refuses a REST method that streams its response (ResponseTransferMode RESPONSE_STREAM), and names it', async () => {
    expect((await call(`${origin}/Prod/stream`)).status).toBe(403);
    expect(runtime.output()).toMatch(/ServerlessRestApi GET \/stream: response streaming is not run locally/);
  });

  it('serves an AWS::ApiGatewayV2::Api imported from a Body without ProtocolType as an HTTP API', async () => {
    const api = runtime.info.apis.find((candidate) => candidate.logicalId === 'ImportedApi');
    expect(api?.kind).toBe('HTTP');
    const answer = await call(`${api?.url}/imported`);
    expect({ status: answer.status, body: answer.json() }).toEqual({
      status: 200,
      body: { fn: 'tenant-function', path: '/imported' },
    });
  });
});

it('refuses two functions with the same FunctionName at start-up, as CloudFormation does', async () => {
  await expect(startRuntime(['--template', fixtureTemplate('same-function-name')])).rejects.toThrow(
    /OrdersFunction and OrdersCopyFunction have the same FunctionName orders: CloudFormation refuses the stack/,
  );
}, 90_000);
