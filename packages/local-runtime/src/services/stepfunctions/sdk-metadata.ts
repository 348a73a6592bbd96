import { randomUUID } from 'node:crypto';

/**
 * The `SdkHttpMetadata` and `SdkResponseMetadata` that Step Functions adds to an optimised integration's result (the
 * AWS SDK for Java's response metadata: see the result examples in the developer guide's "Invoke Lambda" and "Send
 * messages to SQS" pages).
 */
export const sdkMetadata = (requestId: string, headers: Record<string, string> = {}) => {
  const all: Record<string, string> = {
    'Content-Type': 'application/x-amz-json-1.0',
    Date: new Date().toUTCString(),
    'x-amzn-RequestId': requestId,
    ...headers,
  };
  return {
    SdkHttpMetadata: {
      AllHttpHeaders: Object.fromEntries(Object.entries(all).map(([name, value]) => [name, [value]])),
      HttpHeaders: all,
      HttpStatusCode: 200,
    },
    SdkResponseMetadata: { RequestId: requestId },
  };
};

/**
 * The Cause of a failed service call, as the AWS SDK for Java (v1) words the exception Step Functions reports, e.g.
 * `Function not found: ... (Service: AWSLambda; Status Code: 404; Error Code: ResourceNotFoundException; Request ID:
 * ...; Proxy: null)`.
 */
export const serviceCause = (service: string, status: number, code: string, message: string): string =>
  `${message} (Service: ${service}; Status Code: ${status}; Error Code: ${code}; Request ID: ${randomUUID()}; Proxy: null)`;
