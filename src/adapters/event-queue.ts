import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { OrderEvent } from '#domain/order-events';
import { config } from '#shared/config';
import { tracer } from '#shared/tracer';

const sqs = tracer.captureAWSv3Client(new SQSClient({}));

/** Puts an order event on the events queue (the same queue the workflow and POST /v1/events feed). */
export const sendOrderEvent = async (event: OrderEvent): Promise<string | undefined> => {
  const result = await sqs.send(
    new SendMessageCommand({ QueueUrl: config.eventsQueueUrl(), MessageBody: JSON.stringify(event) }),
  );
  return result.MessageId;
};
