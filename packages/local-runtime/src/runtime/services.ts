import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { InvokeOutcome } from '../lambda/function-pool.ts';
import type { LambdaRuntime } from '../lambda/lambda-runtime.ts';
import { callAwsService, type LocalEndpoint } from '../rest/integrations/aws-service.ts';
import { resetTables } from '../services/dynamodb/reset.ts';
import { type DynamoDbService, startDynamoDbService } from '../services/dynamodb/server.ts';
import { simpleTableProperties } from '../services/dynamodb/tables.ts';
import { type LambdaService, startLambdaService } from '../services/lambda/server.ts';
import type { LocalService } from '../services/shared/local-service.ts';
import { ownKeyOf, type ServiceAuth } from '../services/shared/request-auth.ts';
import { SqsError } from '../services/sqs/errors.ts';
import { type SqsService, startSqsService } from '../services/sqs/server.ts';
import { startSsmService } from '../services/ssm/server.ts';
import {
  type CallDynamoDb,
  type StepFunctionsService,
  startStepFunctionsService,
} from '../services/stepfunctions/server.ts';
import type { Json } from '../services/stepfunctions/task-services.ts';
import type { TemplateValue } from '../template/load.ts';
import type { LocalStack } from '../template/stack.ts';
import type { TraceStore } from '../traces/trace-store.ts';

export interface AwsServicesOptions {
  host: string;
  /** Rewrites AWS URLs in resolved values to local ones (the Cognito issuer). */
  rewrite: (value: string) => string;
  /** Multiplies queue visibility timeouts and delays, and workflow waits and retry intervals. */
  timeScale: number;
  /** Keep DynamoDB data in this directory between runs (otherwise in a temporary one, removed at close). */
  persistDir?: string;
  log: (line: string) => void;
  /**
   * First of five fixed ports (SSM, SQS, DynamoDB, Step Functions, Lambda, in that order), so SDK and CLI settings
   * keep working across restarts; 0 or absent picks free ports.
   */
  servicePorts?: number;
  /** The Lambda endpoint's own port (start-lambda's --port), over the one servicePorts gives it. */
  lambdaPort?: number;
  /** Who may call the endpoints (the local credentials, or any well-formed signature). */
  auth: ServiceAuth;
  /** Bound late: the functions' environments need the services' URLs before the functions exist. */
  invokeLambda: (target: string, payload: unknown) => Promise<InvokeOutcome>;
  /** The functions as they are now, for the Lambda endpoint (bound late too). */
  functions: () => LambdaRuntime | undefined;
  /** Where traced workflow executions record their segments. */
  traces?: TraceStore;
}

export interface AwsServices {
  sqs: SqsService;
  dynamodb: DynamoDbService;
  stepFunctions: StepFunctionsService;
  lambda: LambdaService;
  all: LocalService[];
  /** AWS_ENDPOINT_URL_<SERVICE> for the functions' SDK clients. */
  environment: Record<string, string>;
  /** Service name in an API Gateway integration URI (`sqs`, `states`, ...) → local endpoint, and whom to sign as. */
  endpointOf: (service: string) => LocalEndpoint | undefined;
  /**
   * Back to the template's initial state: queues emptied (queues created since deleted), tables deleted and created
   * again empty, parameters as the template gives them, executions and queued asynchronous invocations forgotten.
   */
  reset(): Promise<void>;
  close(): Promise<void>;
}

const ssmParameters = (stack: LocalStack, rewrite: (value: string) => string) =>
  stack.ofType('AWS::SSM::Parameter').map((parameter) => {
    const properties = stack.properties(parameter.logicalId);
    return {
      name: stack.ref(parameter.logicalId),
      value: rewrite(String(properties.Value ?? '')),
      type: String(properties.Type ?? 'String') as 'String' | 'StringList' | 'SecureString',
    };
  });

/**
 * Step Functions' DynamoDB tasks call the local DynamoDB as the service would: signed requests in DynamoDB's JSON
 * protocol; an error answer becomes an Error named by its code (`com.amazonaws.dynamodb.v20120810#X` → `X`).
 */
export const dynamoDbCaller =
  (endpoint: LocalEndpoint): CallDynamoDb =>
  async (action, input) => {
    const answer = await callAwsService(
      {
        target: { region: endpoint.region, service: 'dynamodb', kind: 'action', value: action, query: '' },
        method: 'POST',
        headers: {},
        query: {},
        body: Buffer.from(JSON.stringify(input)),
        timeoutMs: 60_000,
      },
      (service) => (service === 'dynamodb' ? endpoint : undefined),
    );
    const text = answer?.body.toString('utf8') ?? '';
    let parsed: unknown;
    try {
      parsed = text === '' ? {} : JSON.parse(text);
    } catch {
      parsed = { message: text };
    }
    const body = (parsed ?? {}) as Record<string, unknown>;
    if (answer && answer.status === 200) return body as Json;
    const code =
      String(body.__type ?? 'InternalServerError')
        .split('#')
        .pop() ?? 'InternalServerError';
    const message = String(body.message ?? body.Message ?? `DynamoDB answered ${answer?.status ?? 'nothing'}`);
    throw Object.assign(new Error(message), { name: code, statusCode: answer?.status ?? 500 });
  };

/** The ASL of a state machine with its DefinitionSubstitutions applied, as SAM deploys it. */
export const stateMachineDefinition = (stack: LocalStack, logicalId: string): string => {
  const properties = stack.properties(logicalId);
  let definition: string;
  if (properties.Definition !== undefined) definition = JSON.stringify(properties.Definition);
  else if (typeof properties.DefinitionUri === 'string') {
    definition = readFileSync(resolve(dirname(stack.templatePath), properties.DefinitionUri), 'utf8');
  } else if (typeof properties.DefinitionString === 'string') definition = properties.DefinitionString;
  else throw new Error(`${logicalId}: no Definition, DefinitionUri or DefinitionString the local runtime can read`);
  const substitutions = (properties.DefinitionSubstitutions ?? {}) as Record<string, TemplateValue>;
  return definition.replace(/\$\{([A-Za-z0-9_]+)\}/g, (whole, name: string) =>
    name in substitutions ? String(substitutions[name]) : whole,
  );
};

/**
 * Starts the AWS services the template's resources need, on loopback: SSM (its parameters), SQS (its queues, whose
 * Ref/GetAtt then name the local URL), DynamoDB (its tables) and Step Functions (its state machines, whose tasks
 * invoke the local functions and send to the local queues).
 */
export const startAwsServices = async (stack: LocalStack, options: AwsServicesOptions): Promise<AwsServices> => {
  const started: LocalService[] = [];
  const { host, log, auth } = options;
  const endpointAt = (url: string): LocalEndpoint => ({ url, region: auth.region, credentials: ownKeyOf(auth) });
  const portOf = (index: number) => (options.servicePorts ? { port: options.servicePorts + index } : {});
  let dynamodbStarting: Promise<DynamoDbService> | undefined;
  try {
    const tables = stack.ofType('AWS::DynamoDB::Table', 'AWS::Serverless::SimpleTable').map((table) => ({
      logicalId: table.logicalId,
      name: stack.ref(table.logicalId),
      properties:
        table.type === 'AWS::Serverless::SimpleTable'
          ? simpleTableProperties(table.logicalId, stack.properties(table.logicalId))
          : stack.properties(table.logicalId),
    }));
    // DynamoDB starts a worker thread and creates the tables in it, the longest of the services' starts: the others
    // start meanwhile (Step Functions reaches it through its URL only when a task calls it).
    dynamodbStarting = startDynamoDbService({
      tables,
      region: stack.region,
      auth,
      host,
      ...portOf(2),
      log,
      ...(options.persistDir ? { persistDir: options.persistDir } : {}),
    });
    // Its failure is thrown where it is awaited, below.
    dynamodbStarting.catch(() => {});
    const dynamodbReady = dynamodbStarting;
    const ssm = await startSsmService({
      parameters: ssmParameters(stack, options.rewrite),
      region: stack.region,
      accountId: stack.accountId,
      auth,
      host,
      ...portOf(0),
    });
    started.push(ssm);

    const queues = stack.ofType('AWS::SQS::Queue');
    const sqs = await startSqsService({
      queues: queues.map((queue) => ({
        logicalId: queue.logicalId,
        name: String(stack.getAtt(queue.logicalId, 'QueueName')),
        properties: stack.properties(queue.logicalId),
      })),
      region: stack.region,
      accountId: stack.accountId,
      auth,
      timeScale: options.timeScale,
      host,
      ...portOf(1),
      onDeadLetter: (message, from, to) =>
        log(`[sqs] message ${message.id} moved from ${from.name} to ${to.name} after ${message.receiveCount} receives`),
    });
    started.push(sqs);
    for (const queue of sqs.registry.all()) {
      if (!queue.identity.logicalId) continue;
      stack.override(queue.identity.logicalId, {
        ref: queue.identity.url,
        attributes: { Arn: queue.identity.arn, QueueName: queue.name, QueueUrl: queue.identity.url },
      });
    }

    const stepFunctions = await startStepFunctionsService({
      stateMachines: stack
        .ofType('AWS::Serverless::StateMachine', 'AWS::StepFunctions::StateMachine')
        .map((machine) => {
          const properties = stack.properties(machine.logicalId);
          return {
            name: String(stack.getAtt(machine.logicalId, 'Name')),
            arn: stack.ref(machine.logicalId),
            definition: stateMachineDefinition(stack, machine.logicalId),
            type: properties.Type === 'EXPRESS' ? ('EXPRESS' as const) : ('STANDARD' as const),
          };
        }),
      invokeLambda: options.invokeLambda,
      sendMessage: async (input) => {
        try {
          const output = await sqs.call('SendMessage', { ...input });
          return output as { MessageId: string; MD5OfMessageBody: string; SequenceNumber?: string };
        } catch (error) {
          if (error instanceof SqsError) {
            const failure = new Error(error.message);
            failure.name = error.code;
            throw failure;
          }
          throw error;
        }
      },
      callDynamoDb: async (action, input) => dynamoDbCaller(endpointAt((await dynamodbReady).url))(action, input),
      region: stack.region,
      accountId: stack.accountId,
      auth,
      host,
      ...portOf(3),
      log,
      timeScale: options.timeScale,
      ...(options.traces ? { traces: options.traces } : {}),
    });
    started.push(stepFunctions);

    const lambdaPort = options.lambdaPort ?? (options.servicePorts ? options.servicePorts + 4 : undefined);
    const lambda = await startLambdaService({
      functions: options.functions,
      region: stack.region,
      accountId: stack.accountId,
      auth,
      timeScale: options.timeScale,
      log,
      host,
      ...(lambdaPort === undefined ? {} : { port: lambdaPort }),
    });
    started.push(lambda);
    const dynamodb = await dynamodbReady;
    started.push(dynamodb);
    const byIntegrationName = new Map<string, LocalEndpoint>([
      ['sqs', endpointAt(sqs.url)],
      ['states', endpointAt(stepFunctions.url)],
      ['dynamodb', endpointAt(dynamodb.url)],
      ['ssm', endpointAt(ssm.url)],
      ['lambda', endpointAt(lambda.url)],
    ]);
    return {
      sqs,
      dynamodb,
      stepFunctions,
      lambda,
      all: started,
      environment: {
        AWS_ENDPOINT_URL_SSM: ssm.url,
        AWS_ENDPOINT_URL_SQS: sqs.url,
        AWS_ENDPOINT_URL_DYNAMODB: dynamodb.url,
        AWS_ENDPOINT_URL_SFN: stepFunctions.url,
        AWS_ENDPOINT_URL_LAMBDA: lambda.url,
      },
      endpointOf: (service) => byIntegrationName.get(service),
      reset: async () => {
        lambda.reset();
        await stepFunctions.reset();
        sqs.reset();
        ssm.reset();
        await resetTables(endpointAt(dynamodb.url), tables);
      },
      close: async () => {
        await Promise.all(started.map((service) => service.close()));
      },
    };
  } catch (error) {
    const dynamodb = await dynamodbStarting?.catch(() => undefined);
    if (dynamodb && !started.includes(dynamodb)) started.push(dynamodb);
    await Promise.all(started.map((service) => service.close()));
    throw error;
  }
};
