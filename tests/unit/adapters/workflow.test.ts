import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { executionArnOf, getOrder, startOrder } from '#adapters/workflow';
import { OrderConflictError, OrderNotFoundError } from '#domain/errors';
import type { WorkflowInput } from '#domain/orders';

const sfn = mockClient(SFNClient);
const stateMachineArn = 'arn:aws:states:eu-west-1:123456789012:stateMachine:OrderWorkflow-dev';
const orderId = 'ord_01jdq8x4m7r2k9v5w3t6y8z0ab';
const executionArn = `arn:aws:states:eu-west-1:123456789012:execution:OrderWorkflow-dev:${orderId}`;
const startDate = new Date('2026-11-24T19:00:00.000Z');
const input: WorkflowInput = {
  orderId,
  customerId: 'alice',
  items: [{ sku: 'SKU-BOOK-001', quantity: 1 }],
  currency: 'EUR',
  payment: { token: 'tok_visa' },
  channel: 'v1',
};
const alreadyExists = () => new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} });

beforeEach(() => {
  sfn.reset();
  process.env.STATE_MACHINE_ARN = stateMachineArn;
});

describe('executionArnOf', () => {
  it('turns the state machine ARN into the execution ARN named after the order', () => {
    expect(executionArnOf(stateMachineArn, orderId)).toBe(executionArn);
  });
});

describe('startOrder', () => {
  it('starts an execution named after the order with the input as JSON', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn, startDate });
    await expect(startOrder(input)).resolves.toEqual({ orderId, executionArn, startDate, created: true });
    const [call] = sfn.commandCalls(StartExecutionCommand);
    expect(call?.args[0].input).toEqual({ stateMachineArn, name: orderId, input: JSON.stringify(input) });
  });

  it('derives the execution ARN when the answer lacks it', async () => {
    sfn.on(StartExecutionCommand).resolves({});
    await expect(startOrder(input)).resolves.toMatchObject({ executionArn, created: true });
  });

  it('treats an existing execution with the same input (any key order) as a retry', async () => {
    sfn.on(StartExecutionCommand).rejects(alreadyExists());
    const reordered = JSON.stringify({ ...input, channel: 'v1', orderId, payment: { token: 'tok_visa' } });
    sfn.on(DescribeExecutionCommand, { executionArn }).resolves({ executionArn, startDate, input: reordered });
    await expect(startOrder(input)).resolves.toEqual({ orderId, executionArn, startDate, created: false });
  });

  it('derives the ARN of an existing execution when DescribeExecution lacks it', async () => {
    sfn.on(StartExecutionCommand).rejects(alreadyExists());
    sfn.on(DescribeExecutionCommand).resolves({ input: JSON.stringify(input) });
    await expect(startOrder(input)).resolves.toMatchObject({ executionArn, created: false });
  });

  it.each([
    ['different input', JSON.stringify({ ...input, items: [{ sku: 'SKU-BOOK-001', quantity: 2 }] })],
    ['no input', undefined],
    ['unreadable input', 'not json'],
  ])('is a conflict when the existing execution has %s', async (_case, stored) => {
    sfn.on(StartExecutionCommand).rejects(alreadyExists());
    sfn.on(DescribeExecutionCommand).resolves({ executionArn, input: stored });
    await expect(startOrder(input)).rejects.toThrow(OrderConflictError);
  });

  it('passes other errors through', async () => {
    sfn.on(StartExecutionCommand).rejects(new Error('throttled'));
    await expect(startOrder(input)).rejects.toThrow('throttled');
  });

  it('needs STATE_MACHINE_ARN', async () => {
    delete process.env.STATE_MACHINE_ARN;
    await expect(startOrder(input)).rejects.toThrow('Environment variable STATE_MACHINE_ARN is not set');
  });
});

describe('getOrder', () => {
  it('reads the execution', async () => {
    sfn.on(DescribeExecutionCommand, { executionArn }).resolves({
      executionArn,
      stateMachineArn,
      status: 'FAILED',
      input: '{}',
      startDate,
      cause: 'boom',
    });
    await expect(getOrder(orderId)).resolves.toEqual({
      status: 'FAILED',
      input: '{}',
      output: undefined,
      startDate,
      cause: 'boom',
    });
  });

  it('turns an unknown execution into OrderNotFoundError', async () => {
    sfn.on(DescribeExecutionCommand).rejects(new ExecutionDoesNotExist({ message: 'nope', $metadata: {} }));
    await expect(getOrder(orderId)).rejects.toThrow(OrderNotFoundError);
  });

  it('passes other errors through', async () => {
    sfn.on(DescribeExecutionCommand).rejects(new Error('access denied'));
    await expect(getOrder(orderId)).rejects.toThrow('access denied');
  });
});
