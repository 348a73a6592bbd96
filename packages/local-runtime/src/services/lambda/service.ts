import type { ServiceDefinition } from '../registry.ts';
import { type LambdaService, startLambdaService } from './server.ts';

declare module '../registry.ts' {
  interface LocalServices {
    lambda: LambdaService;
  }
}

/** The Lambda Invoke API for the template's functions (the functions themselves run in the Lambda runtime). */
export const lambdaService: ServiceDefinition<'lambda'> = {
  name: 'lambda',
  environmentVariable: 'AWS_ENDPOINT_URL_LAMBDA',
  arnNames: ['lambda'],
  resourceTypes: [],
  start: async ({ stack, auth, host, port, log, timeScale, functions }) => {
    const lambda = await startLambdaService({
      functions,
      region: stack.region,
      accountId: stack.accountId,
      auth,
      timeScale,
      log,
      host,
      ...(port === undefined ? {} : { port }),
    });
    return {
      ...lambda,
      deliver: async (targetArn, delivery) => {
        lambda.invokeAsync(targetArn, JSON.parse(delivery.body));
      },
    };
  },
};
