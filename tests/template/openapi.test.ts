import { readFileSync } from 'node:fs';
import Ajv from 'ajv-draft-04';
import { javaStringMethods, loadYamlFile, type TemplateObject, type TemplateValue } from 'sam-local-runtime';
import velocity from 'velocityjs';
import { corsHeaders } from '../../src/shared/http.ts';

/** The promises api/openapi.yaml makes: each route of the brief, its auth and keys, and mapping templates that work. */
const doc = loadYamlFile('api/openapi.yaml') as TemplateObject;
const paths = doc.paths as Record<string, Record<string, TemplateObject>>;
const schemas = (doc.components as TemplateObject).schemas as Record<string, TemplateObject>;
const operation = (path: string, method: string): TemplateObject => {
  const op = paths[path]?.[method];
  if (!op) throw new Error(`no ${method} ${path}`);
  return op;
};
const integration = (path: string, method: string) =>
  operation(path, method)['x-amazon-apigateway-integration'] as TemplateObject;
const subText = (value: TemplateValue | undefined): string => {
  if (typeof value === 'string') return value;
  const sub = (value as TemplateObject)['Fn::Sub'];
  return Array.isArray(sub) ? String(sub[0]) : String(sub);
};

/** The application/json response template of an integration response. */
const jsonTemplate = (response: TemplateObject | undefined): string => {
  const templates = (response?.responseTemplates ?? {}) as TemplateObject;
  return String(templates['application/json']);
};

// ---------------------------------------------------------------- a small stand-in for API Gateway's VTL context
const jsonPath = (root: unknown, path: string): unknown =>
  path
    .replace(/^\$\.?/, '')
    .split('.')
    .filter(Boolean)
    .reduce<unknown>(
      (value, key) => (value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined),
      root,
    );

/** $util.escapeJavaScript is Apache Commons' StringEscapeUtils.escapeJavaScript: it escapes ' and / too. */
const escapeJavaScript = (text: string): string =>
  text.replace(
    /[\\"'/\n\r\t\b\f]/g,
    (c) => ({ '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f' })[c] ?? `\\${c}`,
  );

const render = (
  template: string,
  body: unknown,
  extra: { params?: Record<string, string>; principalId?: string } = {},
) => {
  const context = {
    requestId: '6a1f2b3c-4d5e-6f70-8192-a3b4c5d6e7f8',
    stage: 'dev',
    requestTime: '24/Nov/2026:19:10:42 +0000',
    authorizer: { principalId: extra.principalId ?? 'user-alice' },
    responseOverride: { header: {} as Record<string, string>, status: undefined as number | undefined },
  };
  const text = velocity.render(
    template,
    {
      input: {
        body: JSON.stringify(body),
        json: (path: string) => JSON.stringify(jsonPath(body, path) ?? null),
        path: (path: string) => jsonPath(body, path) ?? '',
        params: (name: string) => extra.params?.[name] ?? '',
      },
      util: {
        escapeJavaScript,
        urlEncode: (text: string) => encodeURIComponent(text).replace(/%20/g, '+'),
      },
      context,
    },
    {},
    { customMethodHandlers: javaStringMethods },
  );
  return { text, context };
};

describe('the routes of the brief', () => {
  const routes: [string, string, string, string[]][] = [
    ['/health', 'get', 'mock', []],
    ['/v1/catalog', 'get', 'aws_proxy', ['ApiKey']],
    ['/v1/orders', 'post', 'aws_proxy', ['ApiKey', 'TokenAuthorizer']],
    ['/v1/orders/{orderId}', 'get', 'aws', ['TokenAuthorizer']],
    ['/v2/orders/{orderId}', 'get', 'aws_proxy', ['TokenAuthorizer']],
    ['/v2/orders', 'post', 'aws', ['ApiKey', 'TokenAuthorizer']],
    ['/v1/events', 'post', 'aws', ['ApiKey']],
    ['/v1/legacy/{proxy+}', 'x-amazon-apigateway-any-method', 'http_proxy', ['ApiKey', 'TokenAuthorizer']],
    ['/v1/me', 'get', 'aws_proxy', ['CognitoAuthorizer']],
    ['/v1/admin/usage', 'get', 'aws_proxy', ['SigV4']],
    // Every path answers the browsers' preflight itself, with no authorizer and no key (preflights carry neither).
    ...Object.keys(paths).map((path): [string, string, string, string[]] => [path, 'options', 'mock', []]),
  ];
  it('declares exactly these operations', () => {
    const declared = Object.entries(paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method} ${path}`),
    );
    expect(declared.sort()).toEqual(routes.map(([path, method]) => `${method} ${path}`).sort());
  });
  it.each(routes)('%s %s: %s integration, security %j', (path, method, type, security) => {
    expect(integration(path, method).type).toBe(type);
    // Deployed view: an `Fn::If: [IsSamLocal, local, deployed]` requirement counts as its deployed branch.
    const declared = ((operation(path, method).security ?? []) as TemplateObject[]).flatMap((entry) =>
      Object.keys(Array.isArray(entry['Fn::If']) ? (entry['Fn::If'][2] as TemplateObject) : entry),
    );
    expect(declared.sort()).toEqual([...security].sort());
  });
  it('sends SQS and Step Functions integrations with a role of their own', () => {
    expect(subText(integration('/v1/events', 'post').uri)).toBe(
      'arn:${AWS::Partition}:apigateway:${AWS::Region}:sqs:path/${AWS::AccountId}/${OrderEventsQueue.QueueName}',
    );
    expect(integration('/v1/events', 'post').credentials).toEqual({
      'Fn::GetAtt': ['EventsQueueIntegrationRole', 'Arn'],
    });
    expect(subText(integration('/v2/orders', 'post').uri)).toBe(
      'arn:${AWS::Partition}:apigateway:${AWS::Region}:states:action/StartExecution',
    );
    expect(integration('/v2/orders', 'post').credentials).toEqual({
      'Fn::GetAtt': ['OrderWorkflowIntegrationRole', 'Arn'],
    });
  });
  it('proxies the legacy back end with the path and the caller', () => {
    const legacy = integration('/v1/legacy/{proxy+}', 'x-amazon-apigateway-any-method');
    expect(subText(legacy.uri)).toBe('${LegacyBackendUrl}/{proxy}');
    expect(legacy.requestParameters).toMatchObject({ 'integration.request.path.proxy': 'method.request.path.proxy' });
  });
  it('caches the catalogue per category', () => {
    const catalog = integration('/v1/catalog', 'get');
    expect(catalog.cacheKeyParameters).toEqual(['method.request.querystring.category']);
    expect(catalog.requestParameters).toEqual({
      'integration.request.querystring.category': 'method.request.querystring.category',
    });
  });
  it('validates order and event bodies against their models, and order ids as required parameters', () => {
    for (const [path, method, model] of [
      ['/v1/orders', 'post', 'CreateOrder'],
      ['/v2/orders', 'post', 'CreateOrder'],
      ['/v1/events', 'post', 'OrderEvent'],
    ] as const) {
      expect(operation(path, method)['x-amazon-apigateway-request-validator']).toBe('all');
      expect(operation(path, method).requestBody).toMatchObject({
        required: true,
        content: { 'application/json': { schema: { $ref: `#/components/schemas/${model}` } } },
      });
    }
    for (const path of ['/v1/orders/{orderId}', '/v2/orders/{orderId}']) {
      expect(operation(path, 'get')['x-amazon-apigateway-request-validator']).toBe('params-only');
      expect(operation(path, 'get').parameters).toContainEqual(
        expect.objectContaining({ name: 'orderId', in: 'path', required: true }),
      );
    }
    expect(doc['x-amazon-apigateway-request-validators']).toEqual({
      all: { validateRequestBody: true, validateRequestParameters: true },
      'params-only': { validateRequestBody: false, validateRequestParameters: true },
    });
  });
  it('takes API keys from the x-api-key header', () => {
    expect(doc['x-amazon-apigateway-api-key-source']).toBe('HEADER');
  });
});

describe('authorizers', () => {
  const schemes = (doc.components as TemplateObject).securitySchemes as Record<string, TemplateObject>;
  it('runs the TOKEN authorizer on Authorization: Bearer <jwt>, cached for 300 s', () => {
    const token = schemes.TokenAuthorizer as TemplateObject;
    const authorizer = token['x-amazon-apigateway-authorizer'] as TemplateObject;
    expect(token).toMatchObject({
      type: 'apiKey',
      name: 'Authorization',
      in: 'header',
      'x-amazon-apigateway-authtype': 'custom',
    });
    expect(authorizer).toMatchObject({ type: 'token', authorizerResultTtlInSeconds: 300 });
    expect(subText(authorizer.authorizerUri)).toContain('${AuthorizerFunction.Arn}');
    const expression = new RegExp(String(authorizer.identityValidationExpression));
    expect(expression.test('Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln')).toBe(true);
    expect(expression.test('Basic dXNlcjpwYXNz')).toBe(false);
    expect(expression.test('Bearer not-a-jwt')).toBe(false);
  });
  it('verifies Cognito tokens against the template’s user pool, and IAM callers with SigV4', () => {
    expect(schemes.CognitoAuthorizer?.['x-amazon-apigateway-authorizer']).toEqual({
      type: 'cognito_user_pools',
      providerARNs: [{ 'Fn::GetAtt': ['UserPool', 'Arn'] }],
    });
    expect(schemes.SigV4?.['x-amazon-apigateway-authtype']).toBe('awsSigv4');
  });
  it('restricts a PRIVATE API to the VPC endpoint with a resource policy', () => {
    const policy = doc['x-amazon-apigateway-policy'] as TemplateObject;
    const [condition, statement, otherwise] = policy['Fn::If'] as [string, TemplateObject, TemplateObject];
    expect(condition).toBe('IsPrivate');
    expect(otherwise).toEqual({ Ref: 'AWS::NoValue' });
    expect(JSON.stringify(statement)).toContain('"aws:SourceVpce":{"Ref":"VpcEndpointId"}');
  });
});

describe('gateway responses', () => {
  const responses = doc['x-amazon-apigateway-gateway-responses'] as Record<string, TemplateObject>;
  const headersOf = (parameters: Record<string, string>, prefix: string) =>
    Object.fromEntries(
      Object.entries(parameters)
        .filter(([key]) => key.startsWith(`${prefix}Access-Control-`))
        .map(([key, value]) => [key.replace(prefix, ''), value.replace(/^'|'$/g, '')]),
    );
  // The origin is the stage's AllowedOrigin (template.yaml StageConfig → stage variable and ALLOWED_ORIGIN).
  const sameAsFunctions = { ...corsHeaders(), 'Access-Control-Allow-Origin': 'stageVariables.allowedOrigin' };
  it.each(Object.keys(responses))('%s carries the same CORS headers as the functions', (type) => {
    const parameters = responses[type]?.responseParameters as Record<string, string>;
    expect(headersOf(parameters, 'gatewayresponse.header.')).toEqual(sameAsFunctions);
  });
  it.each(Object.keys(paths))('OPTIONS %s answers the preflight with the same CORS headers', (path) => {
    const answer = (integration(path, 'options').responses as Record<string, TemplateObject>).default;
    expect(headersOf(answer?.responseParameters as Record<string, string>, 'method.response.header.')).toEqual(
      sameAsFunctions,
    );
  });
  it('covers every 4XX and 5XX by default', () => {
    expect(Object.keys(responses)).toEqual(expect.arrayContaining(['DEFAULT_4XX', 'DEFAULT_5XX']));
  });
});

describe('mapping templates', () => {
  const templates = Object.entries(paths).flatMap(([path, ops]) =>
    Object.entries(ops).flatMap(([method, op]) => {
      const x = op['x-amazon-apigateway-integration'] as TemplateObject;
      const request = Object.values((x.requestTemplates ?? {}) as Record<string, TemplateValue>);
      const response = Object.values((x.responses ?? {}) as Record<string, TemplateObject>).flatMap((r) =>
        Object.values((r.responseTemplates ?? {}) as Record<string, TemplateValue>),
      );
      return [...request, ...response].map((t) => [`${method} ${path}`, subText(t)] as const);
    }),
  );
  const gatewayTemplates = Object.entries(
    doc['x-amazon-apigateway-gateway-responses'] as Record<string, TemplateObject>,
  ).flatMap(([type, r]) => Object.values(r.responseTemplates as Record<string, string>).map((t) => [type, t] as const));

  it.each([...templates, ...gatewayTemplates])('%s: parses as VTL', (_where, text) => {
    expect(() => velocity.parse(text)).not.toThrow();
  });

  it('GET /health renders the MOCK status and answer', () => {
    const mock = integration('/health', 'get');
    expect(JSON.parse(String((mock.requestTemplates as TemplateObject)['application/json']))).toEqual({
      statusCode: 200,
    });
    const answer = ((mock.responses as TemplateObject).default as TemplateObject).responseTemplates as TemplateObject;
    expect(JSON.parse(render(String(answer['application/json']), {}).text)).toMatchObject({
      status: 'ok',
      stage: 'dev',
    });
  });

  describe('GET /v1/orders/{orderId} (non-proxy Lambda)', () => {
    const x = integration('/v1/orders/{orderId}', 'get');
    const responses = x.responses as Record<string, TemplateObject>;
    const template = (key: string) => jsonTemplate(responses[key]);

    it('passes the path parameter and the authorizer’s principal, escaped', () => {
      const request = String((x.requestTemplates as TemplateObject)['application/json']);
      const { text } = render(request, {}, { params: { orderId: 'ord_abc"def' }, principalId: 'user-"bob' });
      expect(JSON.parse(text)).toEqual({ orderId: 'ord_abc"def', customerId: 'user-"bob' });
    });

    it('turns the domain object into the legacy v1 shape', () => {
      const order = {
        orderId: 'ord_01jd8x2k7q9w3e5r6t7y8u9i0p',
        status: 'CONFIRMED',
        items: [
          { sku: 'BOOK-001', quantity: 2 },
          { sku: "GAME-'quoted'", quantity: 1 },
        ],
        total: { amount: 5998, currency: 'EUR' },
        createdAt: '2026-11-24T19:10:42.000Z',
      };
      expect(JSON.parse(render(template('default'), order).text)).toEqual({
        id: order.orderId,
        state: 'CONFIRMED',
        lines: [
          { sku: 'BOOK-001', qty: 2 },
          { sku: "GAME-'quoted'", qty: 1 },
        ],
        created: '2026-11-24T19:10:42.000Z',
      });
      expect(JSON.parse(render(template('default'), { ...order, items: [] }).text).lines).toEqual([]);
    });

    it('selects 404, 400 and 500 by the error message, and 200 only for success', () => {
      const patterns = Object.keys(responses).filter((key) => key !== 'default');
      const selected = (message: string) =>
        patterns.filter((p) => new RegExp(`^(?:${p})$`).test(message)).map((p) => responses[p]?.statusCode);
      expect(selected('[NotFound] Order ord_1 not found')).toEqual(['404']);
      expect(selected('[BadRequest] Invalid order id')).toEqual(['400']);
      expect(selected('Task timed out after 10.00 seconds')).toEqual(['500']);
      expect(selected('Cannot read properties of undefined\n at x')).toEqual(['500']);
      const notFound = patterns.find((p) => responses[p]?.statusCode === '404') ?? '';
      expect(JSON.parse(render(template(notFound), { errorMessage: '[NotFound] Order ord_1 not found' }).text)).toEqual(
        {
          message: 'Order ord_1 not found',
        },
      );
    });
  });

  describe('POST /v2/orders (Step Functions StartExecution)', () => {
    const x = integration('/v2/orders', 'post');
    const request = subText((x.requestTemplates as TemplateObject)['application/json']).replace(
      '${OrderWorkflow}',
      'arn:aws:states:eu-west-1:123456789012:stateMachine:orders-workflow-dev',
    );

    it('builds input that Step Functions accepts even with quotes and apostrophes in caller values', () => {
      const body = { items: [{ sku: "BOOK-'001'", quantity: 2 }], payment: { token: 'tok_"visa"/it\'s' } };
      const { text } = render(request, body, { principalId: "o'brien" });
      const start = JSON.parse(text);
      expect(start.stateMachineArn).toBe('arn:aws:states:eu-west-1:123456789012:stateMachine:orders-workflow-dev');
      expect(start.name).toBe('ord_6a1f2b3c4d5e6f708192a3b4c5d6e7f8');
      expect(start.input).not.toContain("\\'");
      expect(JSON.parse(start.input)).toEqual({
        orderId: 'ord_6a1f2b3c4d5e6f708192a3b4c5d6e7f8',
        customerId: "o'brien",
        items: body.items,
        currency: 'EUR',
        payment: body.payment,
        channel: 'v2',
      });
    });

    it('keeps an explicit currency', () => {
      const { text } = render(request, {
        items: [{ sku: 'A', quantity: 1 }],
        currency: 'EUR',
        payment: { token: 't' },
      });
      expect(JSON.parse(JSON.parse(text).input).currency).toBe('EUR');
    });

    it('answers 202 with the order id and a Location header, and 409 when the execution exists', () => {
      const responses = x.responses as Record<string, TemplateObject>;
      const accepted = render(jsonTemplate(responses.default), {
        executionArn: 'arn:x',
      });
      expect(responses.default?.statusCode).toBe('202');
      expect(JSON.parse(accepted.text)).toMatchObject({
        orderId: 'ord_6a1f2b3c4d5e6f708192a3b4c5d6e7f8',
        status: 'PROCESSING',
      });
      expect(accepted.context.responseOverride.header.Location).toBe(
        '/dev/v2/orders/ord_6a1f2b3c4d5e6f708192a3b4c5d6e7f8',
      );

      const clientError = jsonTemplate(responses['4\\d{2}']);
      const exists = render(clientError, {
        __type: 'com.amazonaws.swf.service.v2.model#ExecutionAlreadyExists',
        message: 'x',
      });
      expect(exists.context.responseOverride.status).toBe(409);
      expect(JSON.parse(exists.text)).toEqual({ message: 'Order already exists' });
      const invalid = render(clientError, { __type: 'InvalidExecutionInput', message: 'Invalid "input"' });
      expect(invalid.context.responseOverride.status).toBeUndefined();
      expect(JSON.parse(invalid.text)).toEqual({ message: 'Invalid "input"' });
    });
  });

  describe('POST /v1/events (SQS SendMessage)', () => {
    const x = integration('/v1/events', 'post');
    const request = String((x.requestTemplates as TemplateObject)['application/json']);
    const messageOf = (text: string) => {
      const form = new URLSearchParams(text.trim());
      expect(form.get('Action')).toBe('SendMessage');
      return JSON.parse(form.get('MessageBody') ?? '');
    };

    it('sends the event as a form-encoded SendMessage, adding eventId and source', () => {
      expect(x.requestParameters).toEqual({
        'integration.request.header.Content-Type': "'application/x-www-form-urlencoded'",
      });
      const event = {
        orderId: 'ord_01jd8x2k7q9w3e5r6t7y8u9i0p',
        type: 'order.shipped',
        occurredAt: '2026-11-24T19:00:00Z',
        detail: { carrier: "o'neil & co" },
      };
      expect(messageOf(render(request, event).text)).toEqual({
        eventId: '6a1f2b3c-4d5e-6f70-8192-a3b4c5d6e7f8',
        ...event,
        source: 'partner',
      });
    });

    it('defaults the detail to an empty object', () => {
      const event = {
        orderId: 'ord_01jd8x2k7q9w3e5r6t7y8u9i0p',
        type: 'order.shipped',
        occurredAt: '2026-11-24T19:00:00Z',
      };
      expect(messageOf(render(request, event).text).detail).toEqual({});
    });

    it('answers 202 with the event and message ids', () => {
      const accepted = (x.responses as Record<string, TemplateObject>).default as TemplateObject;
      const text = render(String((accepted.responseTemplates as TemplateObject)['application/json']), {
        SendMessageResponse: { SendMessageResult: { MessageId: 'm-1' } },
      }).text;
      expect(accepted.statusCode).toBe('202');
      expect(JSON.parse(text)).toEqual({ eventId: '6a1f2b3c-4d5e-6f70-8192-a3b4c5d6e7f8', messageId: 'm-1' });
    });
  });
});

describe('models', () => {
  // ajv-draft-04 is CommonJS: its class is the module and its `default`.
  const ajv = new Ajv.default({ allErrors: true });
  for (const [name, schema] of Object.entries(schemas)) ajv.addSchema(schema, `#/components/schemas/${name}`);
  const validate = (name: string, value: unknown) => {
    const check = ajv.compile({ $ref: `#/components/schemas/${name}` });
    return check(value);
  };

  it.each(Object.keys(schemas))('%s is a valid JSON Schema draft 4', (name) => {
    expect(ajv.validateSchema(schemas[name] as object)).toBe(true);
  });

  it('CreateOrder accepts an order and refuses what the handler refuses', () => {
    const order = { items: [{ sku: 'BOOK-001', quantity: 2 }], payment: { token: 'tok_visa' } };
    expect(validate('CreateOrder', order)).toBe(true);
    expect(validate('CreateOrder', { ...order, items: [] })).toBe(false);
    expect(validate('CreateOrder', { ...order, items: [{ sku: 'BOOK-001', quantity: 0 }] })).toBe(false);
    expect(validate('CreateOrder', { ...order, items: [{ sku: 'BOOK-001', quantity: 1.5 }] })).toBe(false);
    expect(validate('CreateOrder', { ...order, currency: 'USD' })).toBe(false);
    expect(validate('CreateOrder', { items: order.items })).toBe(false);
    expect(validate('CreateOrder', { ...order, extra: true })).toBe(false);
  });

  it('OrderEvent requires an order id, a dotted type and an ISO-8601 time', () => {
    const event = {
      orderId: 'ord_01jd8x2k7q9w3e5r6t7y8u9i0p',
      type: 'order.shipped',
      occurredAt: '2026-11-24T19:00:00.123Z',
    };
    expect(validate('OrderEvent', event)).toBe(true);
    expect(validate('OrderEvent', { ...event, occurredAt: 'yesterday' })).toBe(false);
    expect(validate('OrderEvent', { ...event, type: 'Shipped' })).toBe(false);
    expect(validate('OrderEvent', { ...event, orderId: '42' })).toBe(false);
  });
});

describe('the file itself', () => {
  it('uses only the long form of intrinsic functions, as AWS::Include requires', () => {
    const code = readFileSync('api/openapi.yaml', 'utf8')
      .split('\n')
      .filter((line) => !line.trimStart().startsWith('#'));
    expect(code.join('\n')).not.toMatch(/!(Ref|Sub|GetAtt|If|Join|Select|FindInMap|Equals)\b/);
  });
});
