import type { ServiceDefinition } from '../registry.ts';
import { SqsError } from './errors.ts';
import { type SqsService, startSqsService } from './server.ts';

declare module '../registry.ts' {
  interface LocalServices {
    sqs: SqsService;
  }
}

/**
 * SQS with the template's queues; a queue's Ref and GetAtt then name the local URL and ARN, so functions, mapping
 * templates and workflows that read them reach the local queue.
 */
export const sqsService: ServiceDefinition<'sqs'> = {
  name: 'sqs',
  environmentVariable: 'AWS_ENDPOINT_URL_SQS',
  arnNames: ['sqs'],
  resourceTypes: ['AWS::SQS::Queue'],
  start: async ({ stack, auth, timeScale, host, port, log }) => {
    const sqs = await startSqsService({
      queues: stack.ofType('AWS::SQS::Queue').map((queue) => ({
        logicalId: queue.logicalId,
        name: String(stack.getAtt(queue.logicalId, 'QueueName')),
        properties: stack.properties(queue.logicalId),
      })),
      region: stack.region,
      accountId: stack.accountId,
      auth,
      timeScale,
      host,
      ...(port === undefined ? {} : { port }),
      onDeadLetter: (message, from, to) =>
        log(`[sqs] message ${message.id} moved from ${from.name} to ${to.name} after ${message.receiveCount} receives`),
    });
    for (const queue of sqs.registry.all()) {
      if (!queue.identity.logicalId) continue;
      stack.override(queue.identity.logicalId, {
        ref: queue.identity.url,
        attributes: { Arn: queue.identity.arn, QueueName: queue.name, QueueUrl: queue.identity.url },
      });
    }
    return {
      ...sqs,
      deliver: async (targetArn, delivery) => {
        const queue = sqs.registry.byArn(targetArn);
        if (!queue) throw new SqsError('QueueDoesNotExist', 'The specified queue does not exist.');
        await sqs.call('SendMessage', {
          QueueUrl: queue.identity.url,
          MessageBody: delivery.body,
          ...(delivery.attributes ? { MessageAttributes: delivery.attributes } : {}),
          ...(delivery.messageGroupId ? { MessageGroupId: delivery.messageGroupId } : {}),
          ...(delivery.messageDeduplicationId ? { MessageDeduplicationId: delivery.messageDeduplicationId } : {}),
        });
      },
      pages: [
        {
          path: '/_local/queues',
          what: 'queue depths, redrive targets and the first messages of each queue',
          read: () =>
            sqs.registry.all().map((queue) => {
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
        },
      ],
    };
  },
};
