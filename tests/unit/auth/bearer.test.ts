import { bearerToken } from '../../../src/auth/bearer.ts';
import { MalformedAuthorizationError, MissingTokenError } from '../../../src/auth/errors.ts';

describe('bearerToken', () => {
  it('takes the JWT of a Bearer header, whatever the scheme’s case', () => {
    expect(bearerToken('Bearer a.b.c')).toBe('a.b.c');
    expect(bearerToken('bearer  a.b.c ')).toBe('a.b.c');
  });
  it.each([undefined, '', '   '])('reports a missing token for %p', (value) => {
    expect(() => bearerToken(value)).toThrow(MissingTokenError);
  });
  it.each(['a.b.c', 'Basic dXNlcjpwYXNz', 'Bearer', 'Bearer a.b.c extra'])('reports %p as malformed', (value) => {
    expect(() => bearerToken(value)).toThrow(MalformedAuthorizationError);
  });
});
