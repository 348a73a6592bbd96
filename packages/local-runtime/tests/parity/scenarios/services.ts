import { ListStateMachinesCommand, SFNClient } from '@aws-sdk/client-sfn';
import { GetQueueUrlCommand, type Message, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { eventually, type RunningRuntime } from '../../../src/testing/index.ts';
import { send } from '../client.ts';
import type { Scenario } from '../scenario.ts';

/** AWS service integrations: SQS (test_apigateway_sqs.py) and Step Functions (test_apigateway_stepfunctions.py). */

/** The queue of the template's `logicalId` (its physical name holds the logical id). */
const queueUrl = async (runtime: RunningRuntime, sqs: SQSClient, logicalId: string): Promise<string> => {
  const queues = (await (await fetch(`${runtime.info.restUrl}/_local/queues`)).json()) as { name?: string }[];
  const name = queues.map((queue) => queue.name ?? '').find((candidate) => candidate.includes(logicalId));
  if (!name) throw new Error(`no queue ${logicalId}`);
  return (await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl ?? '';
};

/** One message per API, sent once and read by both of the test's recordings. */
const sent = new Map<string, Promise<{ status: number; message?: Message }>>();
const sendToQueue = (api: string, queue: string, base: string, runtime: RunningRuntime) => {
  const known = sent.get(api);
  if (known) return known;
  const result = (async () => {
    const answer = await send(
      base,
      'POST',
      '/testing/',
      { 'Content-Type': 'application/json', HeaderFoo: 'BAR-Header' },
      JSON.stringify({ foo: 'bar' }),
    );
    const sqs = new SQSClient(runtime.clientConfig('sqs'));
    try {
      const QueueUrl = await queueUrl(runtime, sqs, queue);
      let message: Message | undefined;
      await eventually(async () => {
        const { Messages = [] } = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl, MessageAttributeNames: ['All'], WaitTimeSeconds: 0 }),
        );
        message = Messages[0];
        return message !== undefined;
      }, 3000).catch(() => false);
      return { status: answer.status, message };
    } finally {
      sqs.destroy();
    }
  })();
  sent.set(api, result);
  return result;
};

const attributeScenarios = (spelling: string, api: string, queue: string): Scenario[] => {
  const id = (key: string) => ({
    file: 'test_apigateway_sqs',
    test: `test_sqs_aws_integration_with_message_attribute[${spelling}]`,
    key,
  });
  return [
    {
      area: 'SQS',
      id: id('sqs-message-body'),
      status: 200,
      run: async (bases, runtime) => {
        const { status, message } = await sendToQueue(api, queue, bases[api] as string, runtime);
        // The recordings' sqs transformer shows a JSON body parsed.
        return { status, value: message?.Body === undefined ? 'no message' : JSON.parse(message.Body) };
      },
    },
    {
      area: 'SQS',
      id: id('sqs-message-attributes'),
      status: 200,
      run: async (bases, runtime) => {
        const { status, message } = await sendToQueue(api, queue, bases[api] as string, runtime);
        const attributes = Object.fromEntries(
          Object.entries(message?.MessageAttributes ?? {}).map(([name, value]) => [
            name,
            { DataType: value.DataType, StringValue: value.StringValue },
          ]),
        );
        return { status, value: attributes };
      },
    },
  ];
};

/** The ARN of the template's state machine `logicalId`, from the local endpoint (its name holds the logical id). */
const machineArn = async (runtime: RunningRuntime, logicalId: string): Promise<string> => {
  const sfn = new SFNClient(runtime.clientConfig('stepfunctions'));
  try {
    const { stateMachines = [] } = await sfn.send(new ListStateMachinesCommand({}));
    return stateMachines.find((machine) => machine.name?.includes(logicalId))?.stateMachineArn ?? '';
  } finally {
    sfn.destroy();
  }
};

const STEP_FUNCTIONS_TEST = 'TestApigatewayStepfunctions::test_apigateway_with_step_function_integration';

export const services: Scenario[] = [
  ...attributeScenarios('MessageAttribute', 'SqsAttributeApi', 'SqsAttributeQueue'),
  ...attributeScenarios('MessageAttributes', 'SqsAttributesApi', 'SqsAttributesQueue'),
  {
    area: 'Step Functions',
    id: {
      file: 'test_apigateway_stepfunctions',
      test: `${STEP_FUNCTIONS_TEST}[StartExecution]`,
      key: 'start_execution_response',
    },
    status: 200,
    masks: { anyValue: ['startDate'] },
    run: async (bases) => {
      const answer = await send(
        bases.SfnStartApi as string,
        'POST',
        '/dev/',
        {},
        JSON.stringify({ test: 'test-value' }),
      );
      return { status: answer.status, value: answer.content };
    },
  },
  {
    area: 'Step Functions',
    id: {
      file: 'test_apigateway_stepfunctions',
      test: `${STEP_FUNCTIONS_TEST}[DeleteStateMachine]`,
      key: 'delete_state_machine_response',
    },
    status: 200,
    run: async (bases, runtime) => {
      const stateMachineArn = await machineArn(runtime, 'DeletedStateMachine');
      const answer = await send(bases.SfnDeleteApi as string, 'POST', '/dev/', {}, JSON.stringify({ stateMachineArn }));
      return { status: answer.status, value: answer.content };
    },
  },
];
