import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { call, eventually } from '../../src/testing/index.ts';
import { fixtureRuntime } from '../fixture-runtime.ts';

/**
 * A state machine's own `Api` events, black-box: SAM makes each an AWS integration to Step Functions StartExecution
 * with the request body as the execution's input (SAM developer guide, "Api" event source of
 * AWS::Serverless::StateMachine); the runtime serves it on the implicit or the named API, its Auth included.
 */

describe("a state machine's Api events", () => {
  const runtime = fixtureRuntime('state-machine-api');
  let origin: string;

  beforeAll(() => {
    origin = runtime.info.restUrl;
  });

  it('starts an execution with the request body as its input, on the implicit ServerlessRestApi', async () => {
    const answer = await call(`${origin}/Prod/greet`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'ada' }),
    });
    expect(answer.status).toBe(200);
    const { executionArn } = answer.json() as { executionArn: string };
    expect(executionArn).toMatch(/^arn:aws:states:[^:]+:\d{12}:execution:[^:]+:.+$/);
    const sfn = new SFNClient(runtime.clientConfig('stepfunctions'));
    try {
      let output: string | undefined;
      const done = await eventually(async () => {
        const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
        output = execution.output;
        return execution.status === 'SUCCEEDED';
      });
      expect({ done, output: JSON.parse(output ?? 'null') }).toEqual({ done: true, output: { greeting: 'hello ada' } });
    } finally {
      sfn.destroy();
    }
  });

  it("requires the API key the event's Auth asks for, and lists the route", async () => {
    const answer = await call(`${origin}/keyed/greet`, { method: 'POST', body: '{"name":"bob"}' });
    expect({ status: answer.status, body: answer.json() }).toEqual({ status: 403, body: { message: 'Forbidden' } });
    const routes = (await call(`${origin}/_local/runtime`)).json().routes as Record<string, unknown>[];
    expect(routes.find((route) => route.api === 'KeyedApi')).toMatchObject({
      route: 'POST /greet',
      integration: 'aws POST arn:aws:apigateway:us-east-1:states:action/StartExecution',
      apiKeyRequired: true,
    });
  });
});
