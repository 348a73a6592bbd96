import { resolve } from 'node:path';
import { LocalStack, type TemplateObject, type TemplateValue } from 'sam-local-runtime';

/**
 * The published OpenAPI of the REST API, exported from what a deployed stack serves: template.yaml's REST API
 * `DefinitionBody` (api/openapi.yaml through AWS::Include, in the deployed view: `SamLocal=false`), with every
 * `x-amazon-apigateway-*` extension removed and every remaining intrinsic resolved (Fn::If on the stack's parameter
 * values, Fn::Sub, Ref). What API Gateway keeps in extensions that a client must know is written back in OpenAPI's
 * own words: the responses the gateway answers itself, the security schemes as a client sees them, and that listed
 * security requirements are all enforced together.
 */
export type Json = TemplateValue;
export type JsonObject = TemplateObject;

export interface OpenApiServer {
  url: string;
  description?: string;
  variables?: Record<string, { default: string; enum?: string[]; description?: string }>;
}

export interface CleanOpenApiOptions {
  /** The template whose first REST API is exported (default template.yaml). */
  templatePath?: string;
  /** samconfig.toml environment for parameter values (default: samconfig's own default). */
  configEnv?: string;
  /** Replaces the documented servers (the local docs page points at the running stage). */
  servers?: OpenApiServer[];
}

const EXTENSION = 'x-amazon-apigateway-';
const ANY_METHOD = `${EXTENSION}any-method`;
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
/** What `ANY` stands for in the published document (HEAD and OPTIONS add nothing for a client). */
const ANY_EXPANDS_TO = ['get', 'post', 'put', 'patch', 'delete'] as const;

const isObject = (value: Json | undefined): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Deep copy without any `x-amazon-apigateway-*` key, except the any-method operation (expanded later). */
const stripExtensions = (value: Json): Json => {
  if (Array.isArray(value)) return value.map(stripExtensions);
  if (!isObject(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !key.startsWith(EXTENSION) || key === ANY_METHOD)
      .map(([key, item]) => [key, stripExtensions(item)]),
  );
};

/** The deployed servers: `{apiId}` and `{region}` are the stack's (outputs RestApiId, RestApiUrl). */
export const deployedServers = (region: string): OpenApiServer[] => [
  {
    url: 'https://{apiId}.execute-api.{region}.amazonaws.com/{stage}',
    description: 'A deployed stage (stack output RestApiUrl).',
    variables: {
      apiId: { default: 'abc123defg', description: 'The REST API id (stack output RestApiId).' },
      region: { default: region, description: 'The stack region.' },
      stage: { default: 'dev', enum: ['dev', 'test', 'prod'], description: 'The Stage parameter.' },
    },
  },
  {
    url: 'http://127.0.0.1:{port}/{stage}',
    description: 'The local runtime (`npm start`).',
    variables: {
      port: { default: '3000' },
      stage: { default: 'dev', enum: ['dev', 'test', 'prod'] },
    },
  },
];

const ref = (name: string): JsonObject => ({ $ref: `#/components/responses/${name}` });

/** The answers API Gateway gives itself (the template's gateway responses: CORS headers, `{"message": ...}`). */
const gatewayResponses = (): JsonObject => {
  const headers: JsonObject = {
    'x-amzn-ErrorType': {
      description: 'API Gateway names the error (ForbiddenException, UnauthorizedException, ...).',
      schema: { type: 'string' },
    },
    'Access-Control-Allow-Origin': { schema: { type: 'string' } },
  };
  const error = (description: string, examples: Record<string, JsonObject>): JsonObject => ({
    description,
    headers,
    content: {
      'application/json': {
        schema: { $ref: '#/components/schemas/Error' },
        examples: Object.fromEntries(Object.entries(examples).map(([name, value]) => [name, { value }])),
      },
    },
  });
  return {
    GatewayBadRequest: error(
      "API Gateway's request validation refused the request before any integration ran (BAD_REQUEST_BODY, " +
        'BAD_REQUEST_PARAMETERS). `errors` is then the string API Gateway writes in ' +
        '`$context.error.validationErrorString`: a bracketed list of JSON Schema draft 4 messages, not an array.',
      {
        body: {
          message: 'Invalid request body',
          errors: '[object has missing required properties (["payment"])]',
        },
        parameters: { message: 'Invalid request parameters', errors: '[...]' },
      },
    ),
    Unauthorized: error('No token, a malformed or expired token, or one the authorizer rejected (UNAUTHORIZED).', {
      unauthorized: { message: 'Unauthorized' },
    }),
    Forbidden: error(
      'A missing or unknown API key, a token whose scopes do not allow the method (the authorizer policy), an ' +
        'unsigned or wrongly signed request to an IAM route, or a path that does not exist.',
      {
        apiKey: { message: 'Forbidden' },
        scope: { message: 'User is not authorized to access this resource' },
        unsigned: { message: 'Missing Authentication Token' },
      },
    ),
    RequestTooLarge: error('The body is over API Gateway\u2019s 10 MB payload limit (REQUEST_TOO_LARGE).', {
      tooLarge: { message: 'Request Too Long' },
    }),
    TooManyRequests: error(
      'Throttled: the stage limit or the usage plan of the API key (rate and burst: THROTTLED), or its quota ' +
        '(QUOTA_EXCEEDED). Retry later with backoff.',
      { throttled: { message: 'Too Many Requests' }, quota: { message: 'Limit Exceeded' } },
    ),
    GatewayError: error(
      'The integration failed or timed out (502, 503, 504: DEFAULT_5XX); the body never carries internals.',
      { internal: { message: 'Internal server error' }, timeout: { message: 'Endpoint request timed out' } },
    ),
  };
};

/** Security schemes as a client sees them (API Gateway's authorizer wiring removed). */
const securitySchemes = (source: JsonObject): JsonObject => {
  const known: JsonObject = {
    ApiKey: {
      type: 'apiKey',
      in: 'header',
      name: 'x-api-key',
      description:
        'An API key of a usage plan (Basic or Premium tier: rate, burst and quota). Locally, `npm start` prints ' +
        'the keys; deployed: `aws apigateway get-api-key --include-value --api-key <BasicApiKeyId output>`.',
    },
    TokenAuthorizer: {
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
      description:
        'A JWT of the configured issuer, checked by the token authorizer (signature, issuer, audience, expiry; ' +
        'result cached 300 s). Scopes: `orders:read` for reads, `orders:write` for orders and events. Locally: ' +
        '`npm run token -- --sub alice --scope "orders:read orders:write"`.',
    },
    CognitoAuthorizer: {
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
      description: 'An ID token of the stack\u2019s Cognito user pool (API Gateway verifies it; no authorizer code).',
    },
    SigV4: {
      type: 'apiKey',
      in: 'header',
      name: 'Authorization',
      description:
        'AWS Signature Version 4 (service `execute-api`, the stage region) with credentials allowed ' +
        '`execute-api:Invoke` on the route: sign with any AWS SDK signer (`@smithy/signature-v4`).',
    },
  };
  return Object.fromEntries(
    Object.keys(source).map((name) => {
      const scheme = known[name];
      if (!scheme) throw new Error(`security scheme ${name}: no published description (scripts/spec/openapi.ts)`);
      return [name, scheme];
    }),
  );
};

const TAGS: [prefix: string, tag: string, description: string][] = [
  ['/health', 'health', 'Liveness (MOCK integration).'],
  ['/v1/catalog', 'catalog', 'The product catalogue (API key, response cache).'],
  ['/v1/orders', 'orders v1', 'Orders, legacy v1 shapes.'],
  ['/v2/orders', 'orders v2', 'Orders, v2 shapes.'],
  ['/v1/events', 'events', 'Partner order events (straight to the queue).'],
  ['/v1/legacy', 'legacy', 'An existing HTTP back end behind the gateway.'],
  ['/v1/me', 'identity', 'Cognito-authenticated callers.'],
  ['/v1/admin', 'admin', 'IAM-authenticated operators.'],
];
const tagOf = (path: string): string => {
  const found = TAGS.find(([prefix]) => path === prefix || path.startsWith(`${prefix}/`));
  if (!found) throw new Error(`${path}: no tag (scripts/spec/openapi.ts TAGS)`);
  return found[1];
};

interface OperationFacts {
  /** The method's request validator checks the body or the parameters. */
  validated: boolean;
  security: string[];
  hasBody: boolean;
}

/** One operation of the clean document, with every answer the gateway may give documented. */
const cleanOperation = (operation: JsonObject, facts: OperationFacts, path: string): JsonObject => {
  const responses: JsonObject = { ...(isObject(operation.responses) ? operation.responses : {}) };
  const add = (status: string, name: string) => {
    const existing = responses[status];
    if (existing === undefined) responses[status] = ref(name);
    else if (isObject(existing) && typeof existing.description === 'string' && name === 'GatewayBadRequest') {
      responses[status] = {
        ...existing,
        description: `${existing.description} Also API Gateway's request validation: \`errors\` is then a string.`,
      };
    }
  };
  if (facts.validated) add('400', 'GatewayBadRequest');
  if (facts.security.includes('TokenAuthorizer') || facts.security.includes('CognitoAuthorizer'))
    add('401', 'Unauthorized');
  if (facts.security.length > 0) add('403', 'Forbidden');
  if (facts.hasBody) add('413', 'RequestTooLarge');
  add('429', 'TooManyRequests');
  if (!('default' in responses)) add('5XX', 'GatewayError');
  const sorted = Object.fromEntries(Object.entries(responses).sort(([a], [b]) => a.localeCompare(b)));
  const { security: _security, ...rest } = operation;
  return {
    ...rest,
    tags: [tagOf(path)],
    // API Gateway enforces every listed requirement; in OpenAPI that is one requirement object naming them all.
    security: facts.security.length > 0 ? [Object.fromEntries(facts.security.map((name) => [name, []]))] : [],
    responses: sorted,
  };
};

const securityNames = (security: Json | undefined): string[] =>
  Array.isArray(security) ? security.flatMap((entry) => (isObject(entry) ? Object.keys(entry) : [])) : [];

/** `{proxy+}` is API Gateway's greedy path variable; OpenAPI names the variable `proxy`. */
const cleanPath = (path: string): string => path.replace(/\{([^}]+)\+\}/g, '{$1}');

const cleanParameters = (parameters: Json | undefined, greedy: boolean): Json | undefined => {
  if (!Array.isArray(parameters) || !greedy) return parameters;
  return parameters.map((parameter) =>
    isObject(parameter) && parameter.in === 'path' && parameter.name === 'proxy'
      ? {
          ...parameter,
          description:
            'The rest of the path, slashes included (API Gateway\u2019s greedy `{proxy+}`): send its segments ' +
            'unescaped, as the SDK does.',
        }
      : parameter,
  );
};

/** What an ANY method of an HTTP proxy takes: whatever the back end does, passed through as it is. */
const passThroughBody: JsonObject = {
  required: false,
  description: 'Passed to the back end as it is.',
  content: { 'application/json': { schema: {} } },
};

/**
 * The definition without the browsers' CORS preflights (OPTIONS operations answered by a MOCK integration): they are
 * the gateway's business, no client or SDK calls them, so the exported API (the reference page, the SDK) leaves them
 * out. Read before the extensions go, since the integration says what the operation is.
 */
const withoutPreflights = (body: Json): Json => {
  if (!isObject(body) || !isObject(body.paths)) return body;
  const paths = Object.fromEntries(
    Object.entries(body.paths).map(([path, item]) => {
      if (!isObject(item) || !isObject(item.options)) return [path, item];
      const integration = item.options['x-amazon-apigateway-integration'];
      const preflight = isObject(integration) && String(integration.type).toLowerCase() === 'mock';
      return [path, preflight ? Object.fromEntries(Object.entries(item).filter(([key]) => key !== 'options')) : item];
    }),
  );
  return { ...body, paths };
};

/** The REST API definition a deployed stack serves: DefinitionBody with Fn::If/AWS::Include resolved. */
const deployedDefinition = (options: CleanOpenApiOptions): { definition: JsonObject; stack: LocalStack } => {
  const templatePath = resolve(options.templatePath ?? 'template.yaml');
  const stack = new LocalStack({
    templatePath,
    ...(options.configEnv ? { configEnv: options.configEnv } : {}),
  });
  const api = stack.ofType('AWS::Serverless::Api', 'AWS::ApiGateway::RestApi')[0];
  if (!api) throw new Error(`${templatePath}: no REST API`);
  const properties = isObject(api.raw.Properties) ? api.raw.Properties : {};
  const body = properties.DefinitionBody ?? properties.Body;
  if (body === undefined) throw new Error(`${api.logicalId}: no DefinitionBody to export`);
  // Extensions go first: they hold the integration ARNs, whose Fn::GetAtt a published document has no use for.
  const definition = stack.resolve(stripExtensions(withoutPreflights(body)));
  if (!isObject(definition)) throw new Error(`${api.logicalId}: DefinitionBody is not an OpenAPI document`);
  return { definition, stack };
};

const validatorFacts = (options: CleanOpenApiOptions): Map<string, boolean> => {
  const stack = new LocalStack({
    templatePath: resolve(options.templatePath ?? 'template.yaml'),
    ...(options.configEnv ? { configEnv: options.configEnv } : {}),
  });
  const api = stack.ofType('AWS::Serverless::Api', 'AWS::ApiGateway::RestApi')[0];
  const properties = api && isObject(api.raw.Properties) ? api.raw.Properties : {};
  // The validators are plain data; resolving the whole body would touch every integration ARN.
  const raw = properties.DefinitionBody ?? {};
  const choose = (value: Json): Json => {
    if (isObject(value) && Array.isArray(value['Fn::If'])) {
      const [condition, whenTrue, whenFalse] = value['Fn::If'];
      return choose((stack.condition(String(condition)) ? whenTrue : whenFalse) ?? null);
    }
    return value;
  };
  const body = choose(raw);
  const facts = new Map<string, boolean>();
  if (!isObject(body)) return facts;
  const validators = isObject(body[`${EXTENSION}request-validators`]) ? body[`${EXTENSION}request-validators`] : {};
  const validates = (name: Json | undefined): boolean => {
    const validator = typeof name === 'string' && isObject(validators) ? validators[name] : undefined;
    return (
      isObject(validator) && (validator.validateRequestBody === true || validator.validateRequestParameters === true)
    );
  };
  const fallback = body[`${EXTENSION}request-validator`];
  for (const [path, item] of Object.entries(isObject(body.paths) ? body.paths : {})) {
    if (!isObject(item)) continue;
    for (const [method, operation] of Object.entries(item)) {
      if (!isObject(operation)) continue;
      facts.set(`${method} ${path}`, validates(operation[`${EXTENSION}request-validator`] ?? fallback));
    }
  }
  return facts;
};

const ERROR_MODEL = `
## Errors

Every error body has one shape, the \`Error\` schema: \`{"message": string, "code"?: string, "errors"?: ...}\`.

- \`message\` is always there and is meant for people.
- \`code\` is set by the functions (\`ValidationError\`, \`NotFound\`, \`Forbidden\`, \`Conflict\`, \`OutOfStock\`,
  \`UnknownProduct\`): branch on it, not on the message. Gateway errors carry the \`x-amzn-ErrorType\` header instead.
- \`errors\` lists what was wrong with the request: an array of \`{path, message}\` when a function validated it (zod),
  or, when API Gateway's request validation refused it first, the single string API Gateway writes
  (\`$context.error.validationErrorString\`), which no template can turn into a list.

## WebSocket API

The WebSocket API (\`wss://{apiId}.execute-api.{region}.amazonaws.com/{stage}?token=<JWT>\`) is described by an
AsyncAPI 3 document (\`npm run spec\`: \`build/spec/asyncapi.json\`; locally \`/_local/asyncapi.json\`).
`;

/** The clean OpenAPI 3 document of the REST API. */
export const cleanOpenApi = (options: CleanOpenApiOptions = {}): JsonObject => {
  const { definition, stack } = deployedDefinition(options);
  const validated = validatorFacts(options);
  const sourcePaths = isObject(definition.paths) ? definition.paths : {};
  const paths: JsonObject = {};
  for (const [path, item] of Object.entries(sourcePaths)) {
    if (!isObject(item)) continue;
    const greedy = path.includes('+}');
    const cleanItem: JsonObject = {};
    const operations: [string, JsonObject, string][] = [];
    for (const [key, value] of Object.entries(item)) {
      if (key === ANY_METHOD && isObject(value)) {
        for (const method of ANY_EXPANDS_TO) {
          const id = typeof value.operationId === 'string' ? value.operationId : 'any';
          const withBody = method === 'post' || method === 'put' || method === 'patch';
          operations.push([
            method,
            {
              ...value,
              operationId: `${id}${method[0]?.toUpperCase()}${method.slice(1)}`,
              ...(withBody ? { requestBody: passThroughBody } : {}),
            },
            key,
          ]);
        }
      } else if ((METHODS as readonly string[]).includes(key) && isObject(value)) {
        operations.push([key, value, key]);
      } else {
        cleanItem[key] = value;
      }
    }
    for (const [method, operation, sourceMethod] of operations) {
      const parameters = cleanParameters(operation.parameters, greedy);
      const facts: OperationFacts = {
        validated: validated.get(`${sourceMethod} ${path}`) ?? false,
        security: securityNames(operation.security),
        hasBody: operation.requestBody !== undefined,
      };
      cleanItem[method] = cleanOperation(
        { ...operation, ...(parameters === undefined ? {} : { parameters }) },
        facts,
        path,
      );
    }
    paths[cleanPath(path)] = cleanItem;
  }
  const info = isObject(definition.info) ? definition.info : {};
  const components = isObject(definition.components) ? definition.components : {};
  const usedTags = new Set(Object.keys(paths).map(tagOf));
  return {
    openapi: '3.0.3',
    info: { ...info, description: `${String(info.description ?? '').trim()}\n${ERROR_MODEL}` },
    servers: (options.servers ?? deployedServers(stack.region)) as unknown as Json,
    tags: TAGS.filter(([, tag]) => usedTags.has(tag)).map(([, name, description]) => ({ name, description })),
    paths,
    components: {
      ...components,
      securitySchemes: securitySchemes(isObject(components.securitySchemes) ? components.securitySchemes : {}),
      responses: gatewayResponses(),
    },
  };
};
