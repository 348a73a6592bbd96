import { awsJsonHandler } from '../shared/aws-json.ts';
import { type LocalService, listenService, seededStore } from '../shared/local-service.ts';
import { requestVerifier, type ServiceAuth } from '../shared/request-auth.ts';
import { ssmQueryHandler } from './query-protocol.ts';
import { ParameterStore, type ParameterType, SsmError } from './store.ts';

export interface SsmParameterSeed {
  name: string;
  value: string;
  type: ParameterType;
}

type Request = Record<string, unknown>;

const MAX_NAME_LENGTH = 2048;
const MAX_STANDARD_VALUE = 4096;
const MAX_ADVANCED_VALUE = 8192;

const requireName = (request: Request, field = 'Name'): string => {
  const name = request[field];
  if (typeof name !== 'string' || name === '') {
    throw new SsmError(
      'ValidationException',
      `1 validation error detected: Value null at '${field.toLowerCase()}' failed to satisfy constraint: Member must not be null`,
    );
  }
  return name;
};

const operations: Record<string, (store: ParameterStore, request: Request) => unknown> = {
  GetParameter: (store, request) => ({ Parameter: store.get(requireName(request)) }),
  GetParameters: (store, request) => {
    const names = Array.isArray(request.Names) ? request.Names.map(String) : [];
    if (names.length === 0 || names.length > 10) {
      throw new SsmError('ValidationException', 'Names must hold between 1 and 10 parameter names');
    }
    return {
      Parameters: names.filter((name) => store.has(name)).map((name) => store.get(name)),
      InvalidParameters: names.filter((name) => !store.has(name)),
    };
  },
  GetParametersByPath: (store, request) => {
    const all = store.byPath(requireName(request, 'Path'), request.Recursive === true);
    const max = Math.min(Math.max(Number(request.MaxResults ?? 10), 1), 10);
    const start =
      typeof request.NextToken === 'string' ? Number(Buffer.from(request.NextToken, 'base64').toString()) : 0;
    const page = all.slice(start, start + max);
    const next = start + max < all.length ? Buffer.from(String(start + max)).toString('base64') : undefined;
    return { Parameters: page, ...(next ? { NextToken: next } : {}) };
  },
  PutParameter: (store, request) => {
    const value = request.Value;
    if (typeof value !== 'string')
      throw new SsmError(
        'ValidationException',
        "Value at 'value' failed to satisfy constraint: Member must not be null",
      );
    const name = requireName(request);
    // Parameter Store's quotas ("Managing parameter tiers"; AWS's own words): a name of at most 2,048 characters, a
    // value of 4 KB in the standard tier and 8 KB in the advanced one.
    if (name.length > MAX_NAME_LENGTH)
      throw new SsmError(
        'ValidationException',
        `1 validation error detected: Value '${name}' at 'name' failed to satisfy constraint: Member must have length less than or equal to ${MAX_NAME_LENGTH}`,
      );
    const advanced = request.Tier === 'Advanced' || request.Tier === 'Intelligent-Tiering';
    if (value.length > MAX_ADVANCED_VALUE)
      throw new SsmError(
        'ValidationException',
        `1 validation error detected: Value at 'value' failed to satisfy constraint: Member must have length less than or equal to ${MAX_ADVANCED_VALUE}`,
      );
    if (value.length > MAX_STANDARD_VALUE && !advanced)
      throw new SsmError(
        'ValidationException',
        `Standard tier parameters support a maximum parameter value of ${MAX_STANDARD_VALUE} characters. To create a larger parameter value, upgrade the parameter to use the advanced-parameter tier. For more information, see https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html`,
      );
    const type = (request.Type ?? 'String') as ParameterType;
    const parameter = store.put(name, value, type, request.Overwrite === true);
    return { Version: parameter.Version, Tier: value.length > MAX_STANDARD_VALUE ? 'Advanced' : 'Standard' };
  },
  DeleteParameter: (store, request) => {
    store.delete(requireName(request));
    return {};
  },
};

export interface SsmService extends LocalService {
  /** Back to the template's parameters, as at start (versions from 1 again). */
  reset(): void;
}

/**
 * A local SSM Parameter Store endpoint, speaking the AWS JSON 1.1 protocol the SDK uses (`X-Amz-Target:
 * AmazonSSM.<Operation>`) and the Query protocol API Gateway uses (see query-protocol.ts), seeded with the template's AWS::SSM::Parameter values. Errors are AWS's:
 * HTTP 400 with `{"__type": ..., "message": ...}` (SSM API reference, "Common Errors").
 */
export const startSsmService = async (options: {
  parameters: SsmParameterSeed[];
  region: string;
  accountId: string;
  auth: ServiceAuth;
  port?: number;
  host?: string;
}): Promise<SsmService> => {
  const { store, reset } = seededStore(new ParameterStore(options.region, options.accountId), (empty) => {
    for (const parameter of options.parameters) empty.put(parameter.name, parameter.value, parameter.type, true);
  });
  const bound = Object.fromEntries(
    Object.entries(operations).map(([name, run]) => [name, (input: Request) => run(store, input)]),
  );
  const verify = requestVerifier(options.auth, 'ssm');
  const query = ssmQueryHandler({ operations: bound, verify });
  const json = awsJsonHandler({
    targetPrefix: 'AmazonSSM',
    contentType: 'application/x-amz-json-1.1',
    operations: bound,
    errorOf: (error) =>
      error instanceof SsmError ? { status: 400, type: error.type, message: error.message } : undefined,
    // SSM models its own 500 (SSM API reference, e.g. GetParameter, "Errors": InternalServerError, HTTP 500).
    internalErrorType: 'InternalServerError',
    verify,
  });
  const service = await listenService(
    'ssm',
    // An SDK client names its operation in X-Amz-Target; API Gateway's integrations send `Action=` (Query protocol).
    (request, response) =>
      request.headers['x-amz-target'] === undefined ? query(request, response) : json(request, response),
    options,
  );
  return { ...service, reset };
};
