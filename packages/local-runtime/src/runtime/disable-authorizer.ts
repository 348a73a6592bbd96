import type { HttpApi } from '../http-api/model.ts';
import type { RestApi } from '../rest/model.ts';

/**
 * `--disable-authorizer` (`sam local start-api`'s flag): Lambda authorizers (REST TOKEN and REQUEST, HTTP API
 * Lambda) are not run, so their methods and routes take every request. Only what the user asked for is opened:
 * Cognito, JWT and IAM authorization stay, and the start-up report counts what was opened.
 */
export const withoutLambdaAuthorizers = (apis: RestApi[], httpApis: HttpApi[]) => {
  let opened = 0;
  const restApis = apis.map((api) => ({
    ...api,
    operations: api.operations.map((operation) => {
      if (operation.authorizer?.type !== 'token' && operation.authorizer?.type !== 'request') return operation;
      opened++;
      const { authorizer: _authorizer, ...open } = operation;
      return { ...open, authorizationScopes: [] };
    }),
  }));
  const http = httpApis.map((api) => ({
    ...api,
    routes: api.routes.map((route) => {
      if (route.authorizer?.kind !== 'lambda') return route;
      opened++;
      const { authorizer: _authorizer, ...open } = route;
      return open;
    }),
  }));
  const note =
    opened > 0 ? [`--disable-authorizer: Lambda authorizers not run; methods and routes opened: ${opened}`] : [];
  return { apis: restApis, httpApis: http, note };
};
