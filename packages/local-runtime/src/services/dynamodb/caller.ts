import type { LocalEndpoint } from '../../gateway/integrations/aws-service.ts';
import { callJsonService } from '../shared/json-caller.ts';
import type { CallDynamoDb } from '../stepfunctions/task-services.ts';

/** In-process callers (Step Functions' DynamoDB tasks) call the local DynamoDB as the service would. */
export const dynamoDbCaller =
  (endpoint: LocalEndpoint): CallDynamoDb =>
  (action, input) =>
    callJsonService(endpoint, 'dynamodb', action, input);
