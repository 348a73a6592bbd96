import { resultOf } from '../../src/http-api/events.ts';
import { HttpApiError } from '../../src/http-api/exchange.ts';
import { type HttpRoute, parseRouteKey } from '../../src/http-api/model.ts';
import { createHttpRouter } from '../../src/http-api/routes.ts';

const route = (routeKey: string): HttpRoute => ({ routeKey, ...parseRouteKey(routeKey), scopes: [], source: 'test' });

describe('HTTP API route selection', () => {
  // The developer guide's example ("Working with routes for HTTP APIs", routing API requests).
  const match = createHttpRouter(
    [
      'ANY /{proxy+}',
      'GET /pets/{proxy+}',
      'GET /pets/dog/{id}',
      'GET /pets/dog/1',
      'ANY /pets/dog/{id}',
      '$default',
    ].map(route),
  );
  const keyOf = (method: string, path: string) => match(method, path)?.route.routeKey;

  it('prefers a full match, literal segments, then the exact method, then greedy variables, then $default', () => {
    expect(keyOf('GET', '/pets/dog/1')).toBe('GET /pets/dog/1');
    expect(keyOf('GET', '/pets/dog/2')).toBe('GET /pets/dog/{id}');
    expect(keyOf('POST', '/pets/dog/2')).toBe('ANY /pets/dog/{id}');
    expect(keyOf('GET', '/pets/cat/1')).toBe('GET /pets/{proxy+}');
    expect(keyOf('POST', '/pets/cat/1')).toBe('ANY /{proxy+}');
    expect(keyOf('GET', '/')).toBe('$default');
  });

  it('hands over path parameters, a greedy one with its slashes', () => {
    expect(match('GET', '/pets/dog/7')?.pathParameters).toEqual({ id: '7' });
    expect(match('GET', '/pets/a/b/c')?.pathParameters).toEqual({ proxy: 'a/b/c' });
  });

  it('finds nothing without $default when no route matches', () => {
    expect(createHttpRouter([route('GET /items')])('GET', '/other')).toBeUndefined();
    expect(createHttpRouter([route('GET /items/{id}')])('GET', '/items/')).toBeUndefined();
  });
});

describe('Lambda answers of HTTP APIs', () => {
  it('2.0 infers 200 application/json when there is no statusCode; 1.0 needs the structured shape', () => {
    expect(resultOf('Hello', '2.0')).toMatchObject({ status: 200, body: Buffer.from('Hello') });
    expect(resultOf({ message: 'hi' }, '2.0').body.toString()).toBe('{"message":"hi"}');
    expect(() => resultOf('Hello', '1.0')).toThrow(HttpApiError);
  });

  it('2.0 cookies become set-cookie headers; a bad statusCode is 500', () => {
    expect(resultOf({ statusCode: 204, cookies: ['a=1', 'b=2'] }, '2.0').multiHeaders).toEqual({
      'set-cookie': ['a=1', 'b=2'],
    });
    expect(() => resultOf({ statusCode: 'x' }, '2.0')).toThrow(expect.objectContaining({ status: 500 }));
  });
});
