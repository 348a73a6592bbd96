import type { Exchange } from '../../src/gateway/exchange.ts';
import { GatewayError } from '../../src/gateway/gateway-error.ts';
import {
  methodRequestOf,
  passedToHttp,
  refuseUnmappableHeaders,
  remappedResponseHeaders,
  sentToHttp,
} from '../../src/rest/header-rules.ts';
import type { Integration } from '../../src/rest/model.ts';

/**
 * The headers API Gateway drops or remaps, as recorded on AWS in test_apigateway_integrations.py::
 * TestApiGatewayHeaderRemapping (the parity suite replays those recordings end to end).
 */
const integration = (type: Integration['type'], requestParameters: Record<string, string>): Integration => ({
  type,
  httpMethod: 'POST',
  uri: '',
  passthroughBehavior: 'when_no_match',
  requestParameters,
  requestTemplates: {},
  responses: [],
  timeoutMs: 29_000,
  cacheKeyParameters: [],
});

const exchangeWith = (headers: Record<string, string>): Exchange => ({
  request: {
    method: 'GET',
    path: '/',
    rawPath: '/dev/',
    rawQuery: '',
    query: {},
    multiQuery: {},
    headers,
    headerNames: new Map(Object.keys(headers).map((name) => [name.toLowerCase(), name])),
    multiHeaders: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]])),
    body: Buffer.alloc(0),
    sourceIp: '127.0.0.1',
    protocol: 'HTTP/1.1',
    requestId: 'id',
    extendedRequestId: 'ext',
    requestTimeEpoch: 0,
  },
  stage: 'dev',
  apiId: 'abc',
  accountId: '123456789012',
  domainName: 'localhost',
  identity: {},
  cacheHit: false,
});

describe('header rules', () => {
  it('drops from the method request what API Gateway never shows an integration, keeping the rest as sent', () => {
    const exchange = methodRequestOf(
      exchangeWith({
        Accept: 'application/json',
        Connection: 'close',
        'Content-MD5': 'x',
        Expect: '100-continue',
        'Max-Forwards': '2',
        'Proxy-Authenticate': 'Basic',
        Server: 's',
        TE: 'deflate',
        'Transfer-Encoding': 'chunked',
        Trailer: 'Expires',
        Upgrade: 'HTTP/2.0',
        'WWW-Authenticate': 'Basic',
        Via: 'p.example.net',
        'Content-Encoding': 'deflate',
      }),
    );
    expect(exchange.request.headers).toEqual({
      Accept: 'application/json',
      Via: 'p.example.net',
      'Content-Encoding': 'deflate',
    });
    expect(Object.keys(exchange.request.multiHeaders)).toEqual(['Accept', 'Via', 'Content-Encoding']);
    expect(exchange.request.headerNames.get('via')).toBe('Via');
    expect(exchange.request.headerNames.has('expect')).toBe(false);
  });

  it('passes Via and Content-Encoding to a Lambda proxy event but not to an HTTP_PROXY back end', () => {
    expect(passedToHttp('Via')).toBe(false);
    expect(passedToHttp('content-encoding')).toBe(false);
    expect(passedToHttp('Accept')).toBe(true);
    for (const name of ['Connection', 'Expect', 'Proxy-Authenticate', 'TE', 'Via'])
      expect(sentToHttp(name)).toBe(false);
    expect(sentToHttp('Upgrade')).toBe(true);
  });

  it('refuses with a 500 a mapping of a header the integration may not set', () => {
    const refused = (type: Integration['type'], header: string) => {
      try {
        refuseUnmappableHeaders(integration(type, { [`integration.request.header.${header}`]: "'x'" }));
        return undefined;
      } catch (error) {
        return error instanceof GatewayError ? error.status : error;
      }
    };
    for (const header of ['Content-Length', 'Transfer-Encoding']) {
      for (const type of ['http', 'http_proxy', 'aws', 'aws_proxy'] as const) expect(refused(type, header)).toBe(500);
    }
    for (const header of ['Authorization', 'Connection', 'Expect', 'Proxy-Authenticate', 'TE']) {
      expect(refused('aws', header)).toBe(500);
      expect(refused('aws_proxy', header)).toBe(500);
      expect(refused('http', header)).toBeUndefined();
    }
    expect(refused('mock', 'Content-Length')).toBeUndefined();
    expect(refused('aws', 'Accept')).toBeUndefined();
  });

  it('remaps the response headers API Gateway writes itself and drops Transfer-Encoding', () => {
    expect(
      remappedResponseHeaders({
        Accept: 'a',
        Connection: 'keep-alive',
        'Content-Length': '12',
        Date: 'd',
        Server: 'gunicorn/19.9.0',
        'Transfer-Encoding': 'chunked',
        TE: 'gzip',
        'User-Agent': 'u',
      }),
    ).toEqual({
      Accept: 'a',
      'x-amzn-Remapped-Connection': 'keep-alive',
      'x-amzn-Remapped-Content-Length': '12',
      'x-amzn-Remapped-Date': 'd',
      'x-amzn-Remapped-Server': 'gunicorn/19.9.0',
      TE: 'gzip',
      'x-amzn-Remapped-User-Agent': 'u',
    });
  });
});
