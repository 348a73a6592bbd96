import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { config } from '#shared/config';

/**
 * The one Powertools Metrics of every function: CloudWatch embedded metric format lines on stdout, namespace from
 * the template's `POWERTOOLS_METRICS_NAMESPACE`, with `service` and `stage` on every metric. `instrumented`
 * (#shared/instrument) publishes what an invocation stored when it ends.
 */
export const metrics = new Metrics({ defaultDimensions: { stage: config.stage() } });

/**
 * A count with one extra dimension, published at once in two dimension sets: `{service, stage}` (what the
 * template's alarm reads: one metric whatever the value) and `{service, stage, <name>}` (the breakdown).
 */
const countBy = (metric: string, dimension: string, value: string): void => {
  const single = metrics.singleMetric();
  single.addDimensions({});
  single.addDimensions({ [dimension]: value });
  single.addMetric(metric, MetricUnit.Count, 1);
};

/** The business metrics of the orders service: one vocabulary, one place. */
export const orderMetrics = {
  /** An order's workflow started (v1: through the Lambda, v2: API Gateway's direct integration). */
  placed: (channel: string) => countBy('OrdersPlaced', 'channel', channel),
  confirmed: () => metrics.addMetric('OrdersConfirmed', MetricUnit.Count, 1),
  /** `reason`: the error type that ended the order (PaymentDeclinedError, OutOfStockError, States.Timeout...). */
  failed: (reason: string) => countBy('OrdersFailed', 'reason', reason),
  paymentRetry: () => metrics.addMetric('PaymentRetries', MetricUnit.Count, 1),
  /** Messages delivered to WebSocket subscribers, and connections found gone (410) and removed. */
  pushed: (delivered: number, stale: number) => {
    if (delivered > 0) metrics.addMetric('WebSocketPushes', MetricUnit.Count, delivered);
    if (stale > 0) metrics.addMetric('StaleConnections', MetricUnit.Count, stale);
  },
};
