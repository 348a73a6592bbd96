import type { Authorizer } from '../gateway/auth/authorizer.ts';
import type { CognitoAuthorizer } from '../gateway/auth/cognito-authorizer.ts';
import { type IamAuthorizer, isSigned } from '../gateway/auth/iam-authorizer.ts';
import { LambdaAuthorizer } from '../gateway/auth/lambda-authorizer.ts';
import type { GatewayAnswer } from '../gateway/exchange.ts';
import { type Exchange, edgeTooLarge, type GatewayRequest, headerOf, methodArn } from '../gateway/exchange.ts';
import { GatewayError } from '../gateway/gateway-error.ts';
import { type AwsServiceEndpoints, serviceTargetOf } from '../gateway/integrations/aws-service.ts';
import type { LambdaInvoker } from '../gateway/integrations/lambda-invoke.ts';
import { lambdaArnOf } from '../gateway/integrations/lambda-invoke.ts';
import type { IntegrationResult } from '../gateway/integrations/result.ts';
import { deploymentIdOf } from '../gateway/request-context.ts';
import type { ApiEndpoint } from '../runtime/api-endpoint.ts';
import { span } from '../traces/trace-context.ts';
import { convertContent, isBinaryRequest } from './binary-media.ts';
import { asGatewayError, gatewayErrorResponse } from './gateway-responses.ts';
import { methodRequestOf, refuseUnmappableHeaders } from './header-rules.ts';
import { awsServiceIntegration } from './integrations/aws-service.ts';
import { httpIntegration } from './integrations/http.ts';
import { lambdaCustomIntegration } from './integrations/lambda-custom.ts';
import { lambdaProxyIntegration } from './integrations/lambda-proxy.ts';
import { mockIntegration } from './integrations/mock.ts';
import type { Integration, Operation, RestApi } from './model.ts';
import { createRouter } from './pipeline/route.ts';
import { RequestValidator } from './pipeline/validate.ts';
import { ResponseCache } from './response-cache.ts';
import { StageThrottle } from './usage/stage-throttle.ts';
import type { UsagePlans } from './usage/usage-plans.ts';

export interface RestGatewayOptions {
  api: RestApi;
  region: string;
  accountId: string;
  domainName: string;
  lambda: LambdaInvoker;
  usagePlans: UsagePlans;
  cognito: CognitoAuthorizer;
  iam: IamAuthorizer;
  /** The local endpoints of AWS service integrations (SQS, Step Functions, ...). */
  awsServices?: AwsServiceEndpoints;
}

/** The log's explanation of a gateway error: its own reason, else its cause's message, else what the client saw. */
const reasonOf = (error: GatewayError): string => {
  if (error.reason) return error.reason;
  const cause = error.cause instanceof Error ? error.cause.message : undefined;
  return [error.type, cause ?? error.gatewayMessage].filter(Boolean).join(': ');
};

/** The size of the request line and the header values, each measured by `measure`. */
const sizeOf = (requestLine: string, headers: Record<string, string[]>, measure: (text: string) => number): number => {
  let size = measure(requestLine);
  for (const values of Object.values(headers)) for (const value of values) size += measure(value);
  return size;
};

/**
 * One REST API stage. A request goes through the stages in the order API Gateway applies them (developer guide,
 * "API Gateway request flow": method request, then integration request and integration response, then method
 * response; access control comes before throttling, "Throttle requests to your REST APIs" applies usage-plan
 * limits before stage and method limits): route → authorizer → API key and usage plan → stage/method throttle →
 * request validation → cache lookup → integration (request mapping, call, response mapping) → cache store.
 * Every failure on the way is a GatewayError, answered with the API's gateway responses.
 */
const MAX_METHOD_ARN_BYTES = 1600;
const MAX_REQUEST_LINE_AND_HEADERS_BYTES = 10_240;

export class RestGateway implements ApiEndpoint {
  readonly kind = 'REST';
  readonly api: RestApi;
  get logicalId(): string {
    return this.api.logicalId;
  }
  get apiId(): string {
    return this.api.id;
  }
  get stage(): string {
    return this.api.stage;
  }
  private readonly options: RestGatewayOptions;
  private readonly route: ReturnType<typeof createRouter>;
  private readonly lambdaAuthorizer: LambdaAuthorizer;
  private readonly throttle: StageThrottle;
  private readonly validator: RequestValidator;
  readonly cache: ResponseCache;
  private readonly lambdaProxy: ReturnType<typeof lambdaProxyIntegration>;
  private readonly lambdaCustom: ReturnType<typeof lambdaCustomIntegration>;
  /** The length of the origin the client called, `https://{api}.execute-api.{region}.amazonaws.com`. */
  private readonly originLength: number;

  constructor(options: RestGatewayOptions) {
    this.options = options;
    this.api = options.api;
    this.route = createRouter(options.api.operations);
    const { lambda } = options;
    this.lambdaAuthorizer = new LambdaAuthorizer((arn, event) => lambda.invoke(arn, event), options.region);
    this.throttle = new StageThrottle(options.api.methodSettings);
    this.validator = new RequestValidator(options.api);
    this.cache = new ResponseCache(options.api);
    const invoke = (arn: string, event: unknown, requestId: string) => lambda.invoke(arn, event, requestId);
    const timeoutOf = (arn: string) => lambda.timeoutOf(arn);
    this.lambdaProxy = lambdaProxyIntegration(invoke, timeoutOf, options.api.stageVariables);
    this.lambdaCustom = lambdaCustomIntegration(invoke, timeoutOf);
    this.originLength = `https://${this.api.id}.execute-api.${options.region}.amazonaws.com`.length;
  }

  hasRoute(method: string, path: string): boolean {
    return this.route(method.toUpperCase(), path) !== undefined;
  }

  /** Drops cached authorizer results (after a rebuild of the authorizer function). */
  clearAuthorizerCache(): void {
    this.lambdaAuthorizer.cache.clear();
  }

  /** A body over the payload limit: refused at API Gateway's edge, before this API (no gateway response applies). */
  reject(request: GatewayRequest, _type: 'REQUEST_TOO_LARGE'): GatewayAnswer {
    return { ...edgeTooLarge(), exchange: this.exchangeFor(request), integration: 'gateway' };
  }

  private exchangeFor(request: GatewayRequest): Exchange {
    return {
      request,
      stage: this.api.stage,
      apiId: this.api.id,
      accountId: this.options.accountId,
      domainName: this.options.domainName,
      deploymentId: deploymentIdOf(this.api.id, this.api.stage),
      hasCanary: this.api.hasCanary,
      endpointType: this.api.endpointType,
      binaryMediaTypes: this.api.binaryMediaTypes,
      identity: {},
      cacheHit: false,
    };
  }

  private finish(request: GatewayRequest, result: IntegrationResult): IntegrationResult {
    result.headers['x-amzn-RequestId'] = request.requestId;
    result.headers['x-amz-apigw-id'] = request.extendedRequestId;
    if (!Object.keys(result.headers).some((name) => name.toLowerCase() === 'content-type')) {
      // API Gateway labels a response without a content type as JSON.
      result.headers['Content-Type'] = 'application/json';
    }
    return result;
  }

  async handle(request: GatewayRequest): Promise<GatewayAnswer> {
    const exchange = this.exchangeFor(request);
    let integration = 'gateway';
    let result: IntegrationResult;
    let reason: string | undefined;
    try {
      this.checkLimits(request);
      const match = this.route(request.method, request.path);
      if (!match) {
        throw new GatewayError('MISSING_AUTHENTICATION_TOKEN', 'Missing Authentication Token', {
          reason: `no method ${request.method} ${request.path} in ${this.api.logicalId} (API Gateway answers an unknown route this way)`,
        });
      }
      exchange.match = match;
      const operation = match.operation;
      integration = integrationLabel(operation);
      if (operation.authorizer) {
        // With authorization on a method, its ARN may be at most 1,600 bytes; a long path parameter makes it longer
        // and the client gets 414 (developer guide, "Amazon API Gateway quotas and important notes").
        // A UTF-16 code unit is at most 3 bytes of UTF-8: most ARNs are under the limit by their length alone.
        const arn = methodArn(exchange, this.options.region);
        const arnBytes = arn.length * 3 <= MAX_METHOD_ARN_BYTES ? arn.length : Buffer.byteLength(arn);
        if (arnBytes > MAX_METHOD_ARN_BYTES) {
          throw new GatewayError('DEFAULT_4XX', 'Request URI too long', {
            status: 414,
            reason: `the method ARN is ${arnBytes} bytes, over API Gateway's ${MAX_METHOD_ARN_BYTES} for an authorized method`,
          });
        }
      }
      if (operation.refusal) {
        throw new GatewayError('ACCESS_DENIED', 'User is not authorized to access this resource', {
          reason: `refused: ${operation.refusal} is not enforced locally, so the method never fails open`,
        });
      }
      const { authorizer } = operation;
      // The authorizer and the integration are the stage segment's subsegments in a trace (traces/gateway-segment.ts).
      if (authorizer) {
        await span('Authorizer', () => this.authorize(exchange, authorizer, operation.authorizationScopes), {
          metadata: { type: authorizer.type },
        });
      }
      if (operation.apiKeyRequired) this.checkApiKey(exchange, operation);
      this.throttle.admit(operation.resourcePath, request.method);
      this.validator.validate(exchange, operation);
      result = await span('Integration', () => this.cached(exchange, operation), { metadata: { type: integration } });
    } catch (error) {
      const gatewayError = asGatewayError(error);
      reason = reasonOf(gatewayError);
      result = gatewayErrorResponse(exchange, this.api, gatewayError);
    }
    this.finish(request, result);
    return {
      ...result,
      exchange,
      integration: exchange.cacheHit ? `${integration} (cache hit)` : integration,
      ...(reason ? { reason } : {}),
    };
  }

  /**
   * The request-size quotas of REST APIs (developer guide, "Quotas for configuring and running a REST API in API
   * Gateway"): the URL at most 8,192 characters (edge-optimized and private APIs) or 10,240 (regional), and the
   * request line and header values together at most 10,240 bytes.
   */
  private checkLimits(request: GatewayRequest): void {
    const target = request.rawQuery ? `${request.rawPath}?${request.rawQuery}` : request.rawPath;
    const urlLength = this.originLength + target.length;
    const maxUrl = this.api.endpointType === 'REGIONAL' ? 10_240 : 8_192;
    if (urlLength > maxUrl) {
      throw new GatewayError('DEFAULT_4XX', 'Request URI too long', {
        status: 414,
        reason: `the URL is ${urlLength} characters, over the ${maxUrl} of a ${this.api.endpointType} API`,
      });
    }
    const requestLine = `${request.method} ${target} ${request.protocol}`;
    // A UTF-16 code unit is at most 3 bytes of UTF-8: most requests are under the limit by their length alone.
    const headerChars = sizeOf(requestLine, request.multiHeaders, (text) => text.length);
    if (headerChars * 3 <= MAX_REQUEST_LINE_AND_HEADERS_BYTES) return;
    const headerBytes = sizeOf(requestLine, request.multiHeaders, Buffer.byteLength);
    if (headerBytes > MAX_REQUEST_LINE_AND_HEADERS_BYTES) {
      throw new GatewayError('DEFAULT_4XX', 'Request Header Fields Too Large', {
        status: 431,
        reason: `the request line and header values are ${headerBytes} bytes, over API Gateway's ${MAX_REQUEST_LINE_AND_HEADERS_BYTES}`,
      });
    }
  }

  private async authorize(exchange: Exchange, authorizer: Authorizer, scopes: string[]): Promise<void> {
    if (authorizer.type === 'aws_iam') {
      exchange.identity = { ...exchange.identity, ...(await this.options.iam.authorize(exchange)) };
    } else if (authorizer.type === 'cognito_user_pools') {
      exchange.authorizer = await this.options.cognito.authorize(exchange, authorizer, scopes);
    } else {
      exchange.authorizer = await this.lambdaAuthorizer.authorize(exchange, authorizer);
    }
  }

  private checkApiKey(exchange: Exchange, operation: Operation): void {
    const { request } = exchange;
    // With the AUTHORIZER key source the key is the authorizer's usageIdentifierKey, never a header
    // (developer guide, "Choose an API key source in API Gateway").
    const value =
      this.api.apiKeySource === 'AUTHORIZER' ? exchange.authorizer?.usageIdentifierKey : headerOf(request, 'x-api-key');
    const usage = this.options.usagePlans.admit(
      value,
      this.api.id,
      this.api.stage,
      `${operation.resourcePath}/${request.method}`,
    );
    exchange.identity.apiKey = value;
    exchange.identity.apiKeyId = usage.key.id;
  }

  private async cached(exchange: Exchange, operation: Operation): Promise<IntegrationResult> {
    const method = exchange.request.method;
    if (!this.cache.enabledFor(operation, method)) return this.integrate(exchange, operation);
    const key = this.cache.keyOf(exchange, operation);
    const mayInvalidate = isSigned(exchange) && (await this.mayInvalidate(exchange));
    const decision = this.cache.cacheControl(exchange, operation, mayInvalidate);
    if (decision === 'refuse') {
      throw new GatewayError('ACCESS_DENIED', 'User is not authorized to invalidate the cache of this resource');
    }
    if (decision === 'invalidate') this.cache.delete(key);
    const hit = this.cache.get(key);
    let result: IntegrationResult;
    if (hit) {
      exchange.cacheHit = true;
      result = { ...hit, headers: { ...hit.headers } };
    } else {
      result = await this.integrate(exchange, operation);
      this.cache.store(key, operation, method, { ...result, headers: { ...result.headers } });
    }
    if (decision === 'ignore-with-warning') {
      result.headers.Warning = '199 - "Cache-Control: max-age=0 ignored: the caller may not invalidate the cache"';
    }
    return result;
  }

  /** A request signed with the local IAM credentials stands for a caller allowed execute-api:InvalidateCache. */
  private async mayInvalidate(exchange: Exchange): Promise<boolean> {
    try {
      await this.options.iam.authorize(exchange);
      return true;
    } catch {
      return false;
    }
  }

  private integrate(sent: Exchange, operation: Operation): Promise<IntegrationResult> {
    const { integration } = operation;
    refuseUnmappableHeaders(integration);
    const exchange = methodRequestOf(withContentHandling(sent, integration));
    const stageVariables = this.api.stageVariables;
    switch (integration.type) {
      case 'aws_proxy':
        return this.lambdaProxy(exchange, integration);
      case 'mock':
        return mockIntegration(exchange, operation, stageVariables);
      case 'http':
      case 'http_proxy':
        return httpIntegration(exchange, operation, stageVariables);
      case 'aws':
        if (lambdaArnOf(integration.uri)) return this.lambdaCustom(exchange, operation, stageVariables);
        return awsServiceIntegration(
          exchange,
          operation,
          stageVariables,
          this.options.awsServices ?? (() => undefined),
        );
    }
  }
}

/**
 * The integration's `contentHandling` applied to the request body of a non-proxy integration (developer guide,
 * "Content type conversions in API Gateway"): a body is binary when its Content-Type is a binary media type, and
 * text otherwise, held as UTF-8 (recorded: test_apigateway_s3.snapshot.json test_apigw_s3_binary_support_request).
 * A text body CONVERT_TO_BINARY cannot decode from base64 is a 500 (..._request_convert_to_binary).
 */
const withContentHandling = (exchange: Exchange, integration: Integration): Exchange => {
  if (integration.type === 'aws_proxy' || integration.type === 'http_proxy') return exchange;
  const { request } = exchange;
  if (request.body.length === 0) return exchange;
  const binary = isBinaryRequest(exchange.binaryMediaTypes ?? [], request);
  const body = convertContent(request.body, integration.contentHandling, binary);
  if (!body) {
    throw new GatewayError('API_CONFIGURATION_ERROR', 'Internal server error', {
      status: 500,
      reason: 'CONVERT_TO_BINARY: the request body is not base64',
    });
  }
  // The same exchange (integrations record their status and latency on it), its request's body converted.
  exchange.request = { ...request, body };
  return exchange;
};

export const integrationLabel = (operation: Operation): string => {
  const { type, uri } = operation.integration;
  if (type === 'aws_proxy') return 'lambda-proxy';
  if (type === 'aws') return lambdaArnOf(uri) ? 'lambda' : `aws:${serviceTargetOf(uri)?.service ?? 'service'}`;
  return type.replace('_', '-');
};
