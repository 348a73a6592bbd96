import type { ServiceDefinition } from '../registry.ts';
import { resetTables } from './reset.ts';
import { type DynamoDbService, startDynamoDbService } from './server.ts';
import { simpleTableProperties } from './tables.ts';

declare module '../registry.ts' {
  interface LocalServices {
    dynamodb: DynamoDbService;
  }
}

/** DynamoDB (dynalite) with the template's tables, SAM's SimpleTable read as the table SAM makes of it. */
export const dynamoDbService: ServiceDefinition<'dynamodb'> = {
  name: 'dynamodb',
  environmentVariable: 'AWS_ENDPOINT_URL_DYNAMODB',
  arnNames: ['dynamodb'],
  endpointPrefix: 'dynamodb',
  startsInBackground: true,
  resourceTypes: ['AWS::DynamoDB::Table', 'AWS::Serverless::SimpleTable'],
  start: async ({ stack, auth, host, port, log, persistDir, endpointAt }) => {
    const tables = stack.ofType('AWS::DynamoDB::Table', 'AWS::Serverless::SimpleTable').map((table) => ({
      logicalId: table.logicalId,
      name: stack.ref(table.logicalId),
      ...(table.type === 'AWS::DynamoDB::Table'
        ? { streamArn: String(stack.getAtt(table.logicalId, 'StreamArn')) }
        : {}),
      properties:
        table.type === 'AWS::Serverless::SimpleTable'
          ? simpleTableProperties(table.logicalId, stack.properties(table.logicalId))
          : stack.properties(table.logicalId),
    }));
    const dynamodb = await startDynamoDbService({
      tables,
      region: stack.region,
      auth,
      host,
      ...(port === undefined ? {} : { port }),
      log,
      ...(persistDir ? { persistDir } : {}),
    });
    return {
      ...dynamodb,
      reset: () => resetTables(endpointAt(dynamodb.url), tables),
      pages: [{ path: '/_local/tables', what: 'DynamoDB tables and item counts', read: () => dynamodb.tables() }],
    };
  },
};
