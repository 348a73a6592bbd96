import { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * The one Powertools Tracer of every function, as the Logger is set up once. Service name from the template's
 * `POWERTOOLS_SERVICE_NAME`; it traces where Lambda's tracing runs (`Tracing: Active` in the template's Globals) and
 * is a no-op elsewhere (unit tests, `sam local`). The adapters pass their SDK clients through
 * `tracer.captureAWSv3Client`, so each AWS call is a subsegment; `instrumented` (#shared/instrument) opens the
 * handler's subsegment and records its errors.
 */
export const tracer = new Tracer();

/** The order an invocation works on, as a searchable annotation (X-Ray filter expression `annotation.orderId`). */
export const annotateOrder = (orderId: string): void => {
  tracer.putAnnotation('orderId', orderId);
};
