import type { ServerResponse } from 'node:http';
import type { LambdaRuntime } from '../../lambda/lambda-runtime.ts';
import { requestUrl } from '../../shared/request-url.ts';
import { type LocalService, listenService } from '../shared/local-service.ts';
import { requestVerifier, type ServiceAuth } from '../shared/request-auth.ts';
import { AsyncInvocations } from './async-invocations.ts';
import { LambdaApiError } from './errors.ts';
import { answerInvoke, INVOKE_PATH, invokeAsync } from './invoke.ts';

export interface LambdaService extends LocalService {
  /** Drops the queued and retrying asynchronous invocations. */
  reset(): void;
  /** Queues an asynchronous invocation of the function an ARN (or name) names; answers its request id. */
  invokeAsync(functionArn: string, event: unknown): string;
}

export interface LambdaServiceOptions {
  /** The functions as they are now (bound late: they start after the services, and a template reload replaces them). */
  functions: () => LambdaRuntime | undefined;
  region: string;
  accountId: string;
  /** Who may call the endpoint (the local credentials, or any well-formed signature). */
  auth: ServiceAuth;
  /** Multiplies the asynchronous retry delays. */
  timeScale: number;
  log: (line: string) => void;
  host?: string;
  port?: number;
}

const answerError = (response: ServerResponse, error: LambdaApiError): void => {
  response
    .writeHead(error.status, { 'Content-Type': 'application/json', 'x-amzn-ErrorType': error.type })
    .end(JSON.stringify({ Type: error.fault, message: error.message }));
};

/**
 * The local Lambda endpoint: the Invoke API for the template's functions, for `aws lambda invoke --endpoint-url`,
 * SDK clients (the functions' own, through AWS_ENDPOINT_URL_LAMBDA) and `sam local start-lambda` users. Other
 * operations answer 404 UnknownOperationException: the functions are the template's, not managed through the API.
 */
export const startLambdaService = async (options: LambdaServiceOptions): Promise<LambdaService> => {
  const asyncInvocations = new AsyncInvocations({
    invoke: (logicalId, event, requestId) => {
      const runtime = options.functions();
      if (!runtime) return Promise.reject(new Error('the functions are not running'));
      return runtime.invoke(logicalId, event, requestId);
    },
    log: options.log,
    timeScale: options.timeScale,
  });
  const context = { ...options, asyncInvocations, verify: requestVerifier(options.auth, 'lambda') };
  const service = await listenService(
    'lambda',
    async (request, response) => {
      const path = requestUrl(request.url).pathname;
      const invoke = INVOKE_PATH.exec(path);
      try {
        if (request.method !== 'POST' || !invoke?.[1]) {
          request.resume();
          throw new LambdaApiError(
            'UnknownOperationException',
            404,
            `${request.method} ${path}: the local Lambda endpoint answers Invoke (POST /2015-03-31/functions/{FunctionName}/invocations) only`,
          );
        }
        await answerInvoke(context, request, response, invoke[1]);
      } catch (error) {
        if (!(error instanceof LambdaApiError)) throw error;
        answerError(response, error);
      }
    },
    { ...(options.host ? { host: options.host } : {}), ...(options.port === undefined ? {} : { port: options.port }) },
  );
  return {
    ...service,
    reset: () => asyncInvocations.clear(),
    invokeAsync: (functionArn, event) => invokeAsync(context, functionArn, event),
    close: async () => {
      await asyncInvocations.close();
      await service.close();
    },
  };
};
