import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { parser } from '@aws-lambda-powertools/batch/parser';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { eventPush, type OrderEvent, orderEventSchema } from '#domain/order-events';
import { notifySubscribers } from '#services/notify-subscribers';
import { config } from '#shared/config';
import { instrumented } from '#shared/instrument';
import { logger } from '#shared/logger';
import { annotateOrder } from '#shared/tracer';

/**
 * Powertools Parser through the batch processor: each record's body is JSON-parsed and validated against the order
 * event schema (SqsRecordSchema with a JSONStringified body), and a record that is not JSON or not an order event
 * fails alone, logged with its issues. (SqsEnvelope would throw for the whole batch on one bad record.)
 */
const processor = new BatchProcessor(EventType.SQS, {
  parser,
  innerSchema: orderEventSchema,
  transformer: 'json',
  logger,
});

/** A record as the parser hands it over: the SQS record with its body already an order event. */
type OrderEventRecord = Omit<SQSRecord, 'body'> & { body: OrderEvent };

/** `oneOrder`: the batch is this record alone, so the invocation's trace is about its order (an annotation is one value). */
const handleRecord = async ({ body: event }: OrderEventRecord, oneOrder: boolean): Promise<void> => {
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
    processPartialResponse(
      event,
      (record: OrderEventRecord) => handleRecord(record, event.Records.length === 1),
      processor,
      {
        context,
      },
    ),
);
