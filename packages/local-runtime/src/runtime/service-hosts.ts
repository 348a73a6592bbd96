/**
 * The AWS host name each local endpoint stands in for, by its `AWS_ENDPOINT_URL_<SERVICE>` variable: clients that do
 * not read those variables (the AWS SDK for JavaScript v2, which nodejs16.x and earlier include; botocore before
 * 1.31) call `https://<prefix>.<region>.amazonaws.com`, and the functions' environments send such calls to the local
 * endpoint over HTTP (see lambda/local-hosts.ts and the Python bootstrap's redirect_local_hosts).
 */
const HOST_PREFIXES: Record<string, string> = {
  AWS_ENDPOINT_URL_SSM: 'ssm',
  AWS_ENDPOINT_URL_SQS: 'sqs',
  AWS_ENDPOINT_URL_DYNAMODB: 'dynamodb',
  AWS_ENDPOINT_URL_SFN: 'states',
  AWS_ENDPOINT_URL_LAMBDA: 'lambda',
  AWS_ENDPOINT_URL_EVENTBRIDGE: 'events',
  AWS_ENDPOINT_URL_SNS: 'sns',
  AWS_ENDPOINT_URL_SECRETS_MANAGER: 'secretsmanager',
};

/** `{"dynamodb.us-east-1.amazonaws.com": "http://127.0.0.1:3012", ...}` for the endpoints `environment` names. */
export const serviceHosts = (environment: Record<string, string>, region: string): Record<string, string> =>
  Object.fromEntries(
    Object.entries(environment).flatMap(([name, url]) => {
      const prefix = Object.hasOwn(HOST_PREFIXES, name) ? HOST_PREFIXES[name] : undefined;
      return prefix ? [[`${prefix}.${region}.amazonaws.com`, url]] : [];
    }),
  );
