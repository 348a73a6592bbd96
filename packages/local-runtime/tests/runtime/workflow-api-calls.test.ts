import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  ListStateMachinesCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually, openSocket } from '../../src/testing/index.ts';
import { fixtureRuntime } from '../fixture-runtime.ts';

/**
 * Step Functions' `arn:aws:states:::apigateway:invoke` (issue 20, item 2) black-box: a WebSocket route starts a
 * workflow that calls a REST API and posts to the asking connection through @connections (signed, IAM_ROLE); a
 * workflow started by the test calls the REST API and catches its 403.
 */

describe('apigateway:invoke tasks', () => {
  const runtime = fixtureRuntime('workflow-api-calls');
  let sfn: SFNClient;
  let probeArn: string;

  beforeAll(async () => {
    sfn = new SFNClient(runtime.clientConfig('stepfunctions'));
    const { stateMachines = [] } = await sfn.send(new ListStateMachinesCommand({}));
    probeArn = stateMachines.find((machine) => machine.name?.includes('ProbeMachine'))?.stateMachineArn ?? '';
  }, 90_000);

  afterAll(async () => {
    sfn?.destroy();
  });

  const run = async (input: unknown): Promise<DescribeExecutionCommandOutput> => {
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: probeArn, input: JSON.stringify(input) }),
    );
    let described: DescribeExecutionCommandOutput | undefined;
    await eventually(async () => {
      described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      return described.status !== 'RUNNING';
    }, 10_000);
    if (!described) throw new Error('no execution');
    return described;
  };

  it('posts to the asking WebSocket connection through @connections after calling a REST route', async () => {
    const desk = runtime.info.webSockets.find((api) => api.logicalId === 'DeskSocket');
    if (!desk) throw new Error('no DeskSocket');
    const socket = await openSocket(desk.url);
    socket.socket.send(JSON.stringify({ action: 'ask', sku: 'bolts' }));
    // The workflow's own POST /desk/@connections/{id}: null members left out of the body (no AllowNullValues).
    expect(await socket.next((message) => message.sku === 'bolts')).toEqual({ sku: 'bolts', inStock: 5 });
    socket.socket.close();
  });

  it('answers ResponseBody (parsed JSON), StatusCode, StatusText and Headers (lists), sending headers, query and body', async () => {
    const execution = await run({ path: 'stock' });
    expect(execution.status).toBe('SUCCEEDED');
    const output = JSON.parse(execution.output ?? '');
    expect(output).toMatchObject({
      ResponseBody: { sku: 'washer', count: 6, method: 'POST', body: JSON.stringify({ asked: 'stock' }), probe: 'yes' },
      StatusCode: 200,
      StatusText: 'OK',
      Headers: { 'content-type': ['application/json'], 'x-desk': ['stock'] },
    });
  });

  it('fails the task with ApiGateway.<status> and the answer as its cause, which Catch takes', async () => {
    const execution = await run({ path: 'nowhere' });
    expect(execution.status).toBe('SUCCEEDED');
    const output = JSON.parse(execution.output ?? '');
    expect(output.Error).toBe('ApiGateway.403');
    expect(output.Cause).toContain('Missing Authentication Token');
  });
});
