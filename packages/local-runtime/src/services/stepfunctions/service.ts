import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { TemplateValue } from '../../template/load.ts';
import type { LocalStack } from '../../template/stack.ts';
import { dynamoDbCaller } from '../dynamodb/caller.ts';
import { endpointOptions, type ServiceDefinition } from '../registry.ts';
import { SqsError } from '../sqs/errors.ts';
import { describeExecution } from './executions.ts';
import { localApiCaller } from './local-apis.ts';
import { type StepFunctionsService, startStepFunctionsService } from './server.ts';

declare module '../registry.ts' {
  interface LocalServices {
    stepfunctions: StepFunctionsService;
  }
}

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
 * Step Functions with the template's state machines; their tasks run on the local functions, queues and tables
 * (which is why it starts after SQS and DynamoDB).
 */
export const stepFunctionsService: ServiceDefinition<'stepfunctions'> = {
  name: 'stepfunctions',
  environmentVariable: 'AWS_ENDPOINT_URL_SFN',
  arnNames: ['states'],
  endpointPrefix: 'states',
  resourceTypes: ['AWS::Serverless::StateMachine', 'AWS::StepFunctions::StateMachine'],
  start: async (context) => {
    const { stack, auth, host, port, log, timeScale, traces } = context;
    // The queues' URLs are in the template's values once SQS has started; DynamoDB is reached when a task calls it.
    const sqs = await context.service('sqs');
    const dynamodb = context.service('dynamodb');
    const stepFunctions = await startStepFunctionsService({
      stateMachines: stack
        .ofType('AWS::Serverless::StateMachine', 'AWS::StepFunctions::StateMachine')
        .map((machine) => ({
          name: String(stack.getAtt(machine.logicalId, 'Name')),
          arn: stack.ref(machine.logicalId),
          definition: stateMachineDefinition(stack, machine.logicalId),
          type: stack.properties(machine.logicalId).Type === 'EXPRESS' ? ('EXPRESS' as const) : ('STANDARD' as const),
        })),
      invokeLambda: context.invokeLambda,
      sendMessage: async (input) => {
        try {
          const output = await sqs.call('SendMessage', { ...input });
          return output as { MessageId: string; MD5OfMessageBody: string; SequenceNumber?: string };
        } catch (error) {
          if (error instanceof SqsError) throw Object.assign(new Error(error.message), { name: error.code });
          throw error;
        }
      },
      callDynamoDb: async (action, input) => dynamoDbCaller(context.endpointAt((await dynamodb).url))(action, input),
      callApi: localApiCaller(context.rewrite, context.endpointAt),
      ...endpointOptions({ stack, auth, host, port }),
      log,
      timeScale,
      ...(traces ? { traces } : {}),
    });
    return {
      ...stepFunctions,
      deliver: async (targetArn, delivery) => {
        await stepFunctions.call('StartExecution', { stateMachineArn: targetArn, input: delivery.body });
      },
      pages: [
        {
          path: '/_local/executions',
          what: 'Step Functions executions',
          read: () => stepFunctions.executions().map(describeExecution),
        },
      ],
    };
  },
};
