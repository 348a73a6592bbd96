import { isObject, type TemplateObject, type TemplateValue } from '../../template/load.ts';
import { REFUSAL_EXTENSION } from '../model.ts';

/**
 * The OpenAPI pieces every REST API source writes the same way (SAM's generated definitions, the raw
 * AWS::ApiGateway resources, Swagger 2.0 bodies) and the REST model reads.
 */
export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];
export const ANY_METHOD = 'x-amazon-apigateway-any-method';
/** The keys of a path item that are operations. */
export const OPERATION_KEYS = [...HTTP_METHODS, ANY_METHOD];

/** The API key scheme SAM and API Gateway's exports write (`x-api-key` header). */
export const apiKeyScheme = (): TemplateObject => ({ type: 'apiKey', name: 'x-api-key', in: 'header' });

/** The AWS_IAM scheme: SigV4 in the Authorization header. */
export const iamScheme = (): TemplateObject => ({
  type: 'apiKey',
  name: 'Authorization',
  in: 'header',
  'x-amazon-apigateway-authtype': 'awsSigv4',
});

/** The integration URI API Gateway invokes a Lambda function through (`lambdaArnOf` reads it back). */
export const lambdaInvocationUri = (region: string, functionArn: string): string =>
  `arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/${functionArn}/invocations`;

/** `method.request.querystring.q` (a RequestParameters key of SAM or CloudFormation) → an OpenAPI parameter. */
export const parameterFromKey = (key: string, required: TemplateValue | undefined): TemplateObject | undefined => {
  const match = /^method\.request\.(header|querystring|path)\.(.+)$/.exec(key);
  if (!match?.[1] || !match[2]) return undefined;
  return {
    name: match[2],
    in: match[1] === 'querystring' ? 'query' : match[1],
    required: required === true || required === 'true',
    schema: { type: 'string' },
  };
};

/**
 * A resource policy (SAM's `Auth.ResourcePolicy`, a RestApi's `Policy`, a body's `x-amazon-apigateway-policy`) is
 * not evaluated locally. It covers the whole API: a caller not allowed by it explicitly is denied (developer guide,
 * "How API Gateway resource policies affect authorization workflow"), so every method refuses rather than serve what
 * the policy may deny.
 */
export const refuseForPolicy = (body: TemplateObject, refusal: string): void => {
  for (const pathItem of Object.values(isObject(body.paths) ? body.paths : {}).filter(isObject)) {
    for (const [key, value] of Object.entries(pathItem)) {
      if (OPERATION_KEYS.includes(key) && isObject(value)) value[REFUSAL_EXTENSION] = refusal;
    }
  }
};
