import type { IncomingMessage, ServerResponse } from 'node:http';
import { describeExecution } from '../services/stepfunctions/executions.ts';
import { requestUrl } from '../shared/request-url.ts';
import type { AwsServices } from './services.ts';

const json = (response: ServerResponse, body: unknown) => {
  response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(body, null, 2));
};

/**
 * What a developer looks at while the runtime runs: `GET /_local/queues` (depths, redrive targets and the first
 * messages of each queue, so a DLQ's contents are visible), `/_local/executions` and `/_local/tables`.
 */
export const localPages =
  (aws: AwsServices) =>
  async (request: IncomingMessage, response: ServerResponse): Promise<boolean> => {
    const path = requestUrl(request.url).pathname;
    if (request.method !== 'GET') return false;
    if (path === '/_local/queues') {
      json(
        response,
        aws.sqs.registry.all().map((queue) => {
          const counts = queue.counts();
          return {
            name: queue.name,
            url: queue.identity.url,
            arn: queue.identity.arn,
            visible: counts.visible,
            inFlight: counts.inFlight,
            delayed: counts.delayed,
            sent: queue.sent,
            deleted: queue.deleted,
            ...(queue.attributes.RedrivePolicy ? { redrivePolicy: queue.attributes.RedrivePolicy } : {}),
            messages: queue.peek(20).map((message) => ({
              messageId: message.id,
              body: message.body,
              receiveCount: message.receiveCount,
              sentAt: new Date(message.sentAt).toISOString(),
              ...(message.deadLetterSourceArn ? { deadLetterSourceArn: message.deadLetterSourceArn } : {}),
            })),
          };
        }),
      );
      return true;
    }
    if (path === '/_local/executions') {
      json(response, aws.stepFunctions.executions().map(describeExecution));
      return true;
    }
    if (path === '/_local/tables') {
      json(response, await aws.dynamodb.tables());
      return true;
    }
    return false;
  };
