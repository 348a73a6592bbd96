import { fileURLToPath } from 'node:url';
import { loadYamlFile, type MappingInput, renderMappingTemplate } from 'sam-local-runtime';
import { legacyV1View, type OrderV2View } from '../../src/domain/order-views.ts';

/** Every mapping template of api/openapi.yaml, rendered with the inputs API Gateway would give it. */
const openapi: unknown = loadYamlFile(fileURLToPath(new URL('../../api/openapi.yaml', import.meta.url)));

const at = (value: unknown, ...keys: string[]): unknown =>
  keys.reduce<unknown>(
    (node, key) => (node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined),
    value,
  );

const templateAt = (...keys: string[]): string => {
  const template = at(openapi, ...keys, 'application/json');
  if (typeof template !== 'string') throw new Error(`no application/json template at ${keys.join(' > ')}`);
  return template;
};

const integration = (path: string, method: string) => ['paths', path, method, 'x-amazon-apigateway-integration'];
const requestTemplate = (path: string, method: string) => templateAt(...integration(path, method), 'requestTemplates');
const responseTemplate = (path: string, method: string, pattern: string) =>
  templateAt(...integration(path, method), 'responses', pattern, 'responseTemplates');
const gatewayTemplate = (type: string) =>
  templateAt('x-amazon-apigateway-gateway-responses', type, 'responseTemplates');

const REQUEST_ID = 'c0ffee00-1234-4abc-9def-0123456789ab';
const ORDER_ID = `ord_${REQUEST_ID.replaceAll('-', '')}`;
const STATE_MACHINE = 'arn:aws:states:eu-west-1:123456789012:stateMachine:OrderWorkflow-local';

const contextFor = (principalId = 'user-42'): Record<string, unknown> => ({
  requestId: REQUEST_ID,
  stage: 'v1',
  requestTime: '12/Mar/2026:10:00:00 +0000',
  authorizer: { principalId },
  identity: { sourceIp: '127.0.0.1' },
  requestOverride: { header: {}, querystring: {}, path: {} },
  responseOverride: { header: {} },
});

const render = (
  template: string,
  body: unknown = '',
  options: { principalId?: string; path?: Record<string, string> } = {},
) => {
  const input: MappingInput = {
    body: typeof body === 'string' ? body : JSON.stringify(body),
    params: { path: options.path ?? {}, querystring: {}, header: { 'content-type': 'application/json' } },
  };
  return renderMappingTemplate(template, input, contextFor(options.principalId), {});
};

const renderJson = (...args: Parameters<typeof render>): unknown => JSON.parse(render(...args).output);

/** A caller-controlled string with every character that breaks naive JSON building. */
const AWKWARD = `o'brien "the" \\ / é\t`;

describe('gateway responses', () => {
  const error = (message: string, validationErrorString = '') => ({
    ...contextFor(),
    error: { message, messageString: JSON.stringify(message), validationErrorString },
  });
  const renderError = (type: string, message: string, validationErrorString?: string): unknown =>
    JSON.parse(
      renderMappingTemplate(
        gatewayTemplate(type),
        { body: '', params: { path: {}, querystring: {}, header: {} } },
        error(message, validationErrorString),
        {},
      ).output,
    );

  it('DEFAULT_4XX and DEFAULT_5XX embed the already-quoted message', () => {
    expect(renderError('DEFAULT_4XX', 'Invalid request body')).toEqual({ message: 'Invalid request body' });
    expect(renderError('DEFAULT_4XX', 'Say "no"')).toEqual({ message: 'Say "no"' });
    expect(renderError('DEFAULT_5XX', 'Internal server error')).toEqual({ message: 'Internal server error' });
  });

  it('BAD_REQUEST_BODY and BAD_REQUEST_PARAMETERS carry the validation errors as a JSON string', () => {
    const errors = `[instance value ("GBP") not found in enum (possible values: ["EUR"]), object has missing required properties (["payment"]), it's /items]`;
    expect(renderError('BAD_REQUEST_BODY', 'Invalid request body', errors)).toEqual({
      message: 'Invalid request body',
      errors,
    });
    expect(renderError('BAD_REQUEST_PARAMETERS', 'Missing required request parameters: [orderId]', errors)).toEqual({
      message: 'Missing required request parameters: [orderId]',
      errors,
    });
    expect(renderError('BAD_REQUEST_BODY', 'Invalid request body')).toEqual({
      message: 'Invalid request body',
      errors: '',
    });
  });
});

describe('GET /health (MOCK)', () => {
  it('asks the mock for a 200', () => {
    expect(renderJson(requestTemplate('/health', 'get'))).toEqual({ statusCode: 200 });
  });

  it('answers with the stage, request id and time', () => {
    expect(renderJson(responseTemplate('/health', 'get', 'default'))).toEqual({
      status: 'ok',
      stage: 'v1',
      requestId: REQUEST_ID,
      requestTime: '12/Mar/2026:10:00:00 +0000',
    });
  });
});

describe('GET /v1/orders/{orderId} (Lambda, non-proxy)', () => {
  const path = '/v1/orders/{orderId}';

  it('sends the order id and the authorizer principal, escaped into JSON strings', () => {
    expect(renderJson(requestTemplate(path, 'get'), '', { path: { orderId: ORDER_ID } })).toEqual({
      orderId: ORDER_ID,
      customerId: 'user-42',
    });
    expect(renderJson(requestTemplate(path, 'get'), '', { path: { orderId: AWKWARD }, principalId: AWKWARD })).toEqual({
      orderId: AWKWARD,
      customerId: AWKWARD,
    });
  });

  const order: OrderV2View = {
    orderId: ORDER_ID,
    status: 'CONFIRMED',
    items: [
      { sku: 'book-1', quantity: 2 },
      { sku: `it's-"b"`, quantity: 1 },
    ],
    total: { amount: 4200, currency: 'EUR' },
    createdAt: '2026-03-12T10:00:00.000Z',
  };

  it('maps the returned order to the v1 body, as legacyV1View documents', () => {
    expect(renderJson(responseTemplate(path, 'get', 'default'), order)).toEqual(
      legacyV1View({ ...order, customerId: 'x' }),
    );
    const empty = { ...order, items: [] };
    expect(renderJson(responseTemplate(path, 'get', 'default'), empty)).toEqual(
      legacyV1View({ ...empty, customerId: 'x' }),
    );
  });

  it('maps [NotFound] and [BadRequest] errors to their message without the tag', () => {
    const lambdaError = (errorMessage: string) => ({ errorMessage, errorType: 'Error', trace: [] });
    expect(
      renderJson(
        responseTemplate(path, 'get', '\\[NotFound\\].*'),
        lambdaError(`[NotFound] Order ${ORDER_ID} not found`),
      ),
    ).toEqual({ message: `Order ${ORDER_ID} not found` });
    expect(
      renderJson(
        responseTemplate(path, 'get', '\\[BadRequest\\].*'),
        lambdaError(`[BadRequest] Invalid order id ${AWKWARD}`),
      ),
    ).toEqual({ message: `Invalid order id ${AWKWARD}` });
  });

  it('answers every other error with a plain 500 body', () => {
    expect(
      renderJson(responseTemplate(path, 'get', '(?!\\[NotFound\\]|\\[BadRequest\\])[\\s\\S]+'), {
        errorMessage: 'boom',
      }),
    ).toEqual({ message: 'Internal server error' });
  });
});

describe('POST /v2/orders (Step Functions StartExecution)', () => {
  const path = '/v2/orders';
  /** The request template sits under Fn::Sub: substitute the state machine, as CloudFormation would. */
  const startExecution = (): string => {
    const sub = at(openapi, ...integration(path, 'post'), 'requestTemplates', 'application/json', 'Fn::Sub');
    if (typeof sub !== 'string') throw new Error('the /v2/orders request template is not an Fn::Sub string');
    const template = sub.replaceAll('${OrderWorkflow}', STATE_MACHINE);
    expect(template).not.toContain('${');
    return template;
  };
  const body = { items: [{ sku: 'book-1', quantity: 2 }], payment: { token: 'tok_visa' } };

  it('starts an execution named after the request id, with the order as JSON input', () => {
    const request = renderJson(startExecution(), body) as { stateMachineArn: string; name: string; input: string };
    expect(request).toEqual({ stateMachineArn: STATE_MACHINE, name: ORDER_ID, input: expect.any(String) });
    expect(JSON.parse(request.input)).toEqual({
      orderId: ORDER_ID,
      customerId: 'user-42',
      items: body.items,
      currency: 'EUR',
      payment: body.payment,
      channel: 'v2',
    });
  });

  it('escapes caller values twice, so the input survives quotes, apostrophes and backslashes', () => {
    const awkward = { items: [{ sku: AWKWARD, quantity: 1 }], currency: 'EUR', payment: { token: AWKWARD } };
    const request = renderJson(startExecution(), awkward, { principalId: AWKWARD }) as { input: string };
    expect(JSON.parse(request.input)).toEqual({
      orderId: ORDER_ID,
      customerId: AWKWARD,
      items: awkward.items,
      currency: 'EUR',
      payment: awkward.payment,
      channel: 'v2',
    });
  });

  it('answers a duplicate execution with 409 through responseOverride', () => {
    const result = render(responseTemplate(path, 'post', '4\\d{2}'), {
      __type: 'com.amazonaws.swf.service.model.v20120125#ExecutionAlreadyExists',
      message: `Execution Already Exists: '${STATE_MACHINE}:${ORDER_ID}'`,
    });
    expect(result.responseOverride.status).toBe(409);
    expect(JSON.parse(result.output)).toEqual({ message: 'Order already exists' });
  });

  it('passes any other 4xx message on, with no status override', () => {
    const result = render(responseTemplate(path, 'post', '4\\d{2}'), {
      __type: 'com.amazonaws.swf.service.model.v20120125#InvalidExecutionInput',
      message: `Invalid 'input': "bad"`,
    });
    expect(result.responseOverride).toEqual({ header: {} });
    expect(JSON.parse(result.output)).toEqual({ message: `Invalid 'input': "bad"` });
  });

  it('answers 5xx with a plain 500 body', () => {
    expect(renderJson(responseTemplate(path, 'post', '5\\d{2}'), { message: 'throttled' })).toEqual({
      message: 'Internal server error',
    });
  });

  it('accepts with 202, the order link in the body and in the Location header', () => {
    const result = render(responseTemplate(path, 'post', 'default'), {
      executionArn: `arn:aws:states:eu-west-1:123456789012:execution:OrderWorkflow-local:${ORDER_ID}`,
      startDate: 1773309600,
    });
    expect(result.responseOverride).toEqual({ header: { Location: `/v1/v2/orders/${ORDER_ID}` } });
    expect(JSON.parse(result.output)).toEqual({
      orderId: ORDER_ID,
      status: 'PROCESSING',
      links: { self: `/v1/v2/orders/${ORDER_ID}` },
    });
  });
});

describe('POST /v1/events (SQS SendMessage)', () => {
  const path = '/v1/events';
  const event = {
    orderId: 'ord_0123456789abcdefghij',
    type: 'order.shipped',
    occurredAt: '2026-03-12T10:00:00Z',
    detail: { carrier: `O'Neil & "Sons"`, parcels: [1, 2], note: 'a+b=c / 100%' },
  };

  /** The rendered form body, and the message it carries. */
  const send = (body: unknown): { action: string | null; message: unknown } => {
    const form = new URLSearchParams(render(requestTemplate(path, 'post'), body).output.trim());
    return { action: form.get('Action'), message: JSON.parse(form.get('MessageBody') ?? '') };
  };

  it('sends the event, with the request id and source, form-encoded', () => {
    const output = render(requestTemplate(path, 'post'), event).output.trim();
    expect(output).toMatch(/^Action=SendMessage&MessageBody=[A-Za-z0-9.*_%+-]+$/);
    expect(send(event)).toEqual({
      action: 'SendMessage',
      message: { eventId: REQUEST_ID, ...event, source: 'partner' },
    });
  });

  it('sends {} for a null detail', () => {
    expect(send({ ...event, detail: null }).message).toEqual({
      eventId: REQUEST_ID,
      ...event,
      source: 'partner',
      detail: {},
    });
  });

  it('sends {} for a missing detail, which $input.json renders as ""', () => {
    const { detail: _detail, ...withoutDetail } = event;
    expect(send(withoutDetail).message).toEqual({
      eventId: REQUEST_ID,
      ...withoutDetail,
      source: 'partner',
      detail: {},
    });
  });

  it('answers with the event and message ids', () => {
    const sqs = {
      SendMessageResponse: {
        ResponseMetadata: { RequestId: 'sqs-req-1' },
        SendMessageResult: { MessageId: '5fea7756-0ea4-451a-a703-a558b933e274', MD5OfMessageBody: 'x' },
      },
    };
    expect(renderJson(responseTemplate(path, 'post', 'default'), sqs)).toEqual({
      eventId: REQUEST_ID,
      messageId: '5fea7756-0ea4-451a-a703-a558b933e274',
    });
  });

  it('answers a refused message with a plain 500 body', () => {
    expect(renderJson(responseTemplate(path, 'post', '[45]\\d{2}'), { Error: { Code: 'AccessDenied' } })).toEqual({
      message: 'Internal server error',
    });
  });
});

describe('OPTIONS preflights (MOCK)', () => {
  const paths = Object.keys(at(openapi, 'paths') as Record<string, unknown>);
  it.each(paths)('%s: the request template selects 200, the answer has no body (headers only)', (path) => {
    expect(renderJson(requestTemplate(path, 'options'))).toEqual({ statusCode: 200 });
    expect(render(responseTemplate(path, 'options', 'default')).output).toBe('');
  });
});

describe('coverage of the document', () => {
  it('tests every mapping template of api/openapi.yaml', () => {
    const found: string[] = [];
    const walk = (node: unknown, trail: string[]): void => {
      if (node === null || typeof node !== 'object') return;
      for (const [key, child] of Object.entries(node)) {
        if (key === 'requestTemplates' || key === 'responseTemplates') found.push([...trail, key].join(' > '));
        else walk(child, [...trail, key]);
      }
    };
    walk(openapi, []);
    expect(found.sort()).toEqual(
      [
        'x-amazon-apigateway-gateway-responses > DEFAULT_4XX > responseTemplates',
        'x-amazon-apigateway-gateway-responses > DEFAULT_5XX > responseTemplates',
        'x-amazon-apigateway-gateway-responses > BAD_REQUEST_BODY > responseTemplates',
        'x-amazon-apigateway-gateway-responses > BAD_REQUEST_PARAMETERS > responseTemplates',
        'paths > /health > get > x-amazon-apigateway-integration > requestTemplates',
        'paths > /health > get > x-amazon-apigateway-integration > responses > default > responseTemplates',
        'paths > /v1/orders/{orderId} > get > x-amazon-apigateway-integration > requestTemplates',
        'paths > /v1/orders/{orderId} > get > x-amazon-apigateway-integration > responses > \\[NotFound\\].* > responseTemplates',
        'paths > /v1/orders/{orderId} > get > x-amazon-apigateway-integration > responses > \\[BadRequest\\].* > responseTemplates',
        'paths > /v1/orders/{orderId} > get > x-amazon-apigateway-integration > responses > (?!\\[NotFound\\]|\\[BadRequest\\])[\\s\\S]+ > responseTemplates',
        'paths > /v1/orders/{orderId} > get > x-amazon-apigateway-integration > responses > default > responseTemplates',
        'paths > /v2/orders > post > x-amazon-apigateway-integration > requestTemplates',
        'paths > /v2/orders > post > x-amazon-apigateway-integration > responses > 4\\d{2} > responseTemplates',
        'paths > /v2/orders > post > x-amazon-apigateway-integration > responses > 5\\d{2} > responseTemplates',
        'paths > /v2/orders > post > x-amazon-apigateway-integration > responses > default > responseTemplates',
        'paths > /v1/events > post > x-amazon-apigateway-integration > requestTemplates',
        'paths > /v1/events > post > x-amazon-apigateway-integration > responses > [45]\\d{2} > responseTemplates',
        'paths > /v1/events > post > x-amazon-apigateway-integration > responses > default > responseTemplates',
        ...Object.keys(at(openapi, 'paths') as Record<string, unknown>).flatMap((path) => [
          `paths > ${path} > options > x-amazon-apigateway-integration > requestTemplates`,
          `paths > ${path} > options > x-amazon-apigateway-integration > responses > default > responseTemplates`,
        ]),
      ].sort(),
    );
  });
});
