import { endpointOptions, type ServiceDefinition } from '../registry.ts';
import { type SsmService, startSsmService } from './server.ts';

declare module '../registry.ts' {
  interface LocalServices {
    ssm: SsmService;
  }
}

/** SSM Parameter Store, seeded with the template's AWS::SSM::Parameter values (resolved, URLs made local). */
export const ssmService: ServiceDefinition<'ssm'> = {
  name: 'ssm',
  environmentVariable: 'AWS_ENDPOINT_URL_SSM',
  arnNames: ['ssm'],
  endpointPrefix: 'ssm',
  resourceTypes: ['AWS::SSM::Parameter'],
  start: ({ stack, rewrite, auth, host, port }) =>
    startSsmService({
      parameters: stack.ofType('AWS::SSM::Parameter').map((parameter) => {
        const properties = stack.properties(parameter.logicalId);
        return {
          name: stack.ref(parameter.logicalId),
          value: rewrite(String(properties.Value ?? '')),
          type: String(properties.Type ?? 'String') as 'String' | 'StringList' | 'SecureString',
        };
      }),
      ...endpointOptions({ stack, auth, host, port }),
    }),
};
