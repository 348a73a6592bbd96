import type { LocalEndpoint } from '../gateway/integrations/aws-service.ts';
import type { InvokeOutcome } from '../lambda/function-pool.ts';
import type { LambdaRuntime } from '../lambda/lambda-runtime.ts';
import type { LocalStack } from '../template/stack.ts';
import type { TraceStore } from '../traces/trace-store.ts';
import type { LocalService } from './shared/local-service.ts';
import type { ServiceAuth } from './shared/request-auth.ts';

/**
 * The started services by name. Each service folder adds its own entry (`declare module '../registry.ts'`), so the
 * registry knows no service and a service's callers get its full type.
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled by declaration merging in each service's folder.
export interface LocalServices {}

export type ServiceName = keyof LocalServices & string;

/** A message handed to a target by ARN: an EventBridge rule's target, an SNS subscription, a workflow's task. */
export interface Delivery {
  /** The message as the target receives it (an SQS body, a function's event as JSON text, an execution's input). */
  body: string;
  /** SQS message attributes, SNS message attributes: passed where the target has a place for them. */
  attributes?: Record<string, { DataType: string; StringValue?: string; BinaryValue?: string }>;
  /** FIFO targets. */
  messageGroupId?: string;
  messageDeduplicationId?: string;
}

/** What a service is given to start: the template, the runtime's settings and the services started before it. */
export interface ServiceContext {
  stack: LocalStack;
  host: string;
  /** The fixed port of this service (`--service-ports`), or undefined for any free port. */
  port?: number;
  auth: ServiceAuth;
  log: (line: string) => void;
  /**
   * Rewrites AWS URLs in resolved values to local ones: the Cognito issuer, and `https://<apiId>.execute-api...` of
   * the template's APIs to the local origin serving each (Step Functions' apigateway:invoke tasks use it).
   */
  rewrite: (value: string) => string;
  /** Multiplies queue visibility timeouts and delays, workflow waits and retry intervals, async retry delays. */
  timeScale: number;
  /**
   * `--schedules`: `off` fires a schedule only when asked (`POST /_local/schedules/<name>`); `run` also fires each
   * enabled one on its rate or cron expression.
   */
  schedules: 'off' | 'run';
  /** Keep data in this directory between runs (otherwise in a temporary one, removed at close). */
  persistDir?: string;
  /** Where traced work records its segments. */
  traces?: TraceStore;
  /** Invokes a function by name or ARN, synchronously (bound late: the functions start after the services). */
  invokeLambda: (target: string, payload: unknown) => Promise<InvokeOutcome>;
  /** The functions as they are now (bound late too). */
  functions: () => LambdaRuntime | undefined;
  /**
   * A service listed before this one, once it has started (a service that starts in the background may still be
   * starting: await it where it is used, not at start, to keep the starts overlapping).
   */
  service<Name extends ServiceName>(name: Name): Promise<LocalServices[Name]>;
  /** How to reach a started service's endpoint with the local credentials. */
  endpointAt(url: string): LocalEndpoint;
  /**
   * Hands a message to the resource an ARN names, through the service that owns it (a queue, a function invoked
   * asynchronously, a state machine, a topic, a bus). Rejects when no started service owns it.
   */
  deliver(targetArn: string, delivery: Delivery): Promise<void>;
}

/** A page under `/_local/` that shows a service's state as JSON. */
export interface ServicePage {
  path: `/_local/${string}`;
  what: string;
  read(): unknown;
  /** `POST <path>/<name>`: an action on one of the page's items (fire a schedule), answered as JSON. */
  post?(name: string): { status: number; body: unknown } | Promise<{ status: number; body: unknown }>;
}

/** What every started service offers the runtime besides its endpoint. */
export interface StartedService extends LocalService {
  /** Back to the template's initial state. */
  reset?(): void | Promise<void>;
  /**
   * Takes the resources of a template reloaded by `--watch` (says what it changed, if anything). A service without it
   * runs its resources as the template gave them at start: the reload names what changed (runtime/resource-changes.ts).
   */
  reload?(stack: LocalStack): string | undefined;
  pages?: ServicePage[];
  /** Accepts a message for one of its resources (see ServiceContext.deliver). */
  deliver?(targetArn: string, delivery: Delivery): Promise<void>;
}

/**
 * One AWS service the runtime runs: how it starts from the template, where SDKs and integrations find it. Adding a
 * service is a folder with one of these and a line in services/index.ts.
 */
export interface ServiceDefinition<Name extends ServiceName = ServiceName> {
  name: Name;
  /** The SDKs' `AWS_ENDPOINT_URL_<SERVICE>` variable the functions get. */
  environmentVariable: string;
  /**
   * The service's names in ARNs (`arn:aws:<name>:...`) and API Gateway integration URIs
   * (`arn:aws:apigateway:<region>:<name>:action/...`).
   */
  arnNames: readonly string[];
  /** Its host name's first part (`https://<prefix>.<region>.amazonaws.com`), which the SDKs call without an endpoint. */
  endpointPrefix: string;
  /**
   * Starts while the services after it start: nothing those read from the template depends on its start (DynamoDB's
   * worker thread and tables, the longest start, whose names are the template's own).
   */
  startsInBackground?: boolean;
  /** The resource types it runs (so the start-up report does not list them as not run). */
  resourceTypes: readonly string[];
  start(context: ServiceContext): Promise<LocalServices[Name] & StartedService>;
}

/** What every endpoint starts with from its context: the stack's region and account, who may call, where it listens. */
export const endpointOptions = ({
  stack,
  auth,
  host,
  port,
}: Pick<ServiceContext, 'stack' | 'auth' | 'host' | 'port'>) => ({
  region: stack.region,
  accountId: stack.accountId,
  auth,
  host,
  ...(port === undefined ? {} : { port }),
});

/** The service part of an ARN: `arn:aws:sqs:eu-west-1:123:q` → `sqs`. */
export const arnServiceOf = (arn: string): string | undefined => {
  const parts = arn.split(':');
  return parts[0] === 'arn' && parts.length >= 6 ? parts[2] : undefined;
};
