import type { SQSBatchResponse } from 'aws-lambda';
import type { InvokeOutcome } from '../function-pool.ts';

/**
 * Which records failed, from the function's response: with ReportBatchItemFailures an empty or missing
 * `batchItemFailures` means all succeeded; an identifier that is empty or not in the batch makes Lambda treat the
 * whole batch as failed (Lambda developer guide, "Implementing partial batch responses"). `idOf` is what a record's
 * `itemIdentifier` names: an SQS message id, a stream record's sequence number. What is done with the failed ones
 * is the source's own (SQS leaves them in the queue; a stream retries from the first: stream-batches.ts).
 */
export const failedRecords = <Item>(
  batch: Item[],
  idOf: (item: Item) => string,
  outcome: InvokeOutcome,
  reportBatchItemFailures: boolean,
): { failed: Item[]; valid: boolean } => {
  if (outcome.status !== 'ok') return { failed: batch, valid: true };
  if (!reportBatchItemFailures) return { failed: [], valid: true };
  const response = outcome.result as Partial<SQSBatchResponse> | null | undefined;
  const failures = response && typeof response === 'object' ? response.batchItemFailures : undefined;
  if (failures === undefined || failures === null) return { failed: [], valid: true };
  if (!Array.isArray(failures)) return { failed: batch, valid: false };
  const byId = new Map(batch.map((item) => [idOf(item), item]));
  const failed = new Set<Item>();
  for (const failure of failures) {
    const item = byId.get(String((failure as { itemIdentifier?: unknown })?.itemIdentifier ?? ''));
    if (!item) return { failed: batch, valid: false };
    failed.add(item);
  }
  return { failed: [...failed], valid: true };
};
