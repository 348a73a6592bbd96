import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { OrderConflictError, OrderNotFoundError } from '#domain/errors';
import type { ExecutionRecord } from '#domain/order-views';
import type { WorkflowInput } from '#domain/orders';
import { config } from '#shared/config';
import { tracer } from '#shared/tracer';

/** Created once per container: cold starts pay for it once, warm invocations reuse its connections. */
const sfn = tracer.captureAWSv3Client(new SFNClient({}));

/** The contract's rule: the execution named after the order lives at the state machine's ARN with `:execution:`. */
export const executionArnOf = (stateMachineArn: string, orderId: string): string =>
  `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${orderId}`;

export interface StartedOrder {
  orderId: string;
  executionArn: string;
  startDate: Date | undefined;
  /** False when an earlier request with the same idempotency key had already started it. */
  created: boolean;
}

/** Key order must not make two equal inputs look different. */
const canonical = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
};

const sameInput = (stored: string | undefined, input: WorkflowInput): boolean => {
  if (stored === undefined) return false;
  try {
    return JSON.stringify(canonical(JSON.parse(stored))) === JSON.stringify(canonical(input));
  } catch {
    return false;
  }
};

const describe = async (orderId: string): Promise<DescribeExecutionCommandOutput> => {
  try {
    return await sfn.send(
      new DescribeExecutionCommand({ executionArn: executionArnOf(config.stateMachineArn(), orderId) }),
    );
  } catch (error) {
    if (error instanceof ExecutionDoesNotExist) throw new OrderNotFoundError(orderId);
    throw error;
  }
};

/**
 * Starts the order workflow, named after the order. A retry (same idempotency key, same body) finds the execution
 * already there and succeeds with it; the same key with a different body is a conflict.
 *
 * This is the idempotency of order creation, on purpose not @aws-lambda-powertools/idempotency: Step Functions keeps
 * execution names unique per state machine (90 days after the execution ends) and refuses a second StartExecution
 * of a name atomically, so a persistence table would only add a write, a read and a second record of the same fact
 * (README, "Why order creation is idempotent without Powertools Idempotency").
 */
export const startOrder = async (input: WorkflowInput): Promise<StartedOrder> => {
  const stateMachineArn = config.stateMachineArn();
  try {
    const started = await sfn.send(
      new StartExecutionCommand({ stateMachineArn, name: input.orderId, input: JSON.stringify(input) }),
    );
    return {
      orderId: input.orderId,
      executionArn: started.executionArn ?? executionArnOf(stateMachineArn, input.orderId),
      startDate: started.startDate,
      created: true,
    };
  } catch (error) {
    if (!(error instanceof ExecutionAlreadyExists)) throw error;
    const existing = await describe(input.orderId);
    if (!sameInput(existing.input, input)) throw new OrderConflictError(input.orderId);
    return {
      orderId: input.orderId,
      executionArn: existing.executionArn ?? executionArnOf(stateMachineArn, input.orderId),
      startDate: existing.startDate,
      created: false,
    };
  }
};

/** Reads the order's execution; an unknown one is OrderNotFoundError. */
export const getOrder = async (orderId: string): Promise<ExecutionRecord> => {
  const execution = await describe(orderId);
  return {
    status: execution.status,
    input: execution.input,
    output: execution.output,
    startDate: execution.startDate,
    cause: execution.cause,
  };
};
