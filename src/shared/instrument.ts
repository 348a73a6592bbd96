import type { Context } from 'aws-lambda';
import { metrics } from '#shared/metrics';
import { tracer } from '#shared/tracer';

type Handler = (event: never, context: never) => Promise<unknown>;

/**
 * Every handler's wrapper, what Powertools' middy middlewares do for a handler written as a function (Tracer docs,
 * "Manual instrumentation"): a `## <handler>` subsegment with the ColdStart and Service annotations and any error
 * it throws, and the metrics the invocation stored, published when it ends (also on an error).
 */
export const instrumented = <H extends Handler>(handler: H): H => {
  const wrapped = async (event: never, context: Context) => {
    const parent = tracer.isTracingEnabled() ? tracer.getSegment() : undefined;
    const subsegment = parent?.addNewSubsegment(`## ${process.env._HANDLER ?? 'handler'}`);
    if (subsegment) tracer.setSegment(subsegment);
    tracer.annotateColdStart();
    tracer.addServiceNameAnnotation();
    try {
      return await handler(event, context as never);
    } catch (error) {
      tracer.addErrorAsMetadata(error as Error);
      throw error;
    } finally {
      subsegment?.close();
      if (parent) tracer.setSegment(parent);
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    }
  };
  return wrapped as unknown as H;
};
