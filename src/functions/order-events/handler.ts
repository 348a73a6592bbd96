import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { ValidationError } from '#domain/errors';
import { eventPush, parseOrderEvent } from '#domain/order-events';
import { notifySubscribers } from '#services/notify-subscribers';
import { config } from '#shared/config';
import { instrumented } from '#shared/instrument';
import { logger } from '#shared/logger';
import { annotateOrder } from '#shared/tracer';

const processor = new BatchProcessor(EventType.SQS);

/** `oneOrder`: the batch is this record alone, so the invocation's trace is about its order (an annotation is one value). */
const handleRecord = async (record: SQSRecord, oneOrder: boolean): Promise<void> => {
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch {
    throw new ValidationError(`Message ${record.messageId} is not JSON`);
  }
  const event = parseOrderEvent(body);
  if (oneOrder) annotateOrder(event.orderId);
  const result = await notifySubscribers(config.websocketCallbackUrl(), event.orderId, eventPush(event));
  logger.info('Order event delivered', { eventId: event.eventId, orderId: event.orderId, type: event.type, ...result });
};

/**
 * The events queue consumer. Each record stands alone: one that fails (bad JSON, not an order event, a push that
 * failed) is reported in `batchItemFailures` and only it returns to the queue; after the queue's maxReceiveCount it
 * lands in the DLQ. Nothing is skipped silently.
 */
export const handler = instrumented(
  async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> =>
    processPartialResponse(event, (record: SQSRecord) => handleRecord(record, event.Records.length === 1), processor, {
      context,
    }),
);
