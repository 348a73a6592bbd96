import { relative } from 'node:path';
import { httpAuthLabel, httpIntegrationLabel } from '../http-api/gateway.ts';
import { integrationLabel } from '../rest/gateway.ts';
import type { Operation } from '../rest/model.ts';
import { eventRuleRows } from '../services/eventbridge/service.ts';
import type { AwsServices } from './services.ts';
import type { LocalRuntime } from './start.ts';

const authOf = (operation: Operation): string => {
  const parts: string[] = [];
  if (operation.authorizer) {
    const { type, name } = operation.authorizer;
    parts.push(
      type === 'aws_iam' ? 'IAM (SigV4)' : type === 'cognito_user_pools' ? `Cognito (${name})` : `${name} (${type})`,
    );
  }
  if (operation.apiKeyRequired) parts.push('API key');
  return parts.join(' + ') || 'none';
};

const table = (rows: string[][], indent = '  '): string[] => {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => row[i]?.length ?? 0))) ?? [];
  return rows.map(
    (row) =>
      indent +
      row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
  );
};

/** `?token=<token>` when the $connect authorizer reads a query string (its first identity source). */
const connectQuery = (api: LocalRuntime['webSocketApis'][number]): string => {
  const sources = api.routes.get('$connect')?.authorizer?.identitySources ?? [];
  const name = sources.map((source) => /^route\.request\.querystring\.(.+)$/.exec(source)?.[1]).find(Boolean);
  return name ? `?${name}=<token>` : '';
};

/** What a developer needs to start calling the API: URLs, routes and their auth, keys, tokens, credentials. */
/**
 * The endpoints' settings for the AWS CLI and SDKs in another terminal (`export AWS_ENDPOINT_URL_...` and the local
 * keys), and the signature rule the endpoints apply: what every command that starts them prints.
 */
export const endpointSettings = (
  aws: AwsServices,
  credentials: { accessKeyId: string; secretAccessKey: string },
  region: string,
  acceptAnySignature: boolean,
): string[] => {
  const environment = {
    ...Object.fromEntries(Object.entries(aws.environment).filter(([name]) => name.startsWith('AWS_ENDPOINT_URL_'))),
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_REGION: region,
  };
  return [
    `  export ${Object.entries(environment)
      .map(([name, value]) => `${name}=${value}`)
      .join(' ')}`,
    acceptAnySignature
      ? '  Signatures: any well-formed SigV4 signature is accepted here and by @connections (--accept-any-signature); unsigned requests are refused.'
      : '  Signatures: requests here and to @connections must be signed (SigV4) with these credentials; --accept-any-signature takes any well-formed one.',
  ];
};

export const banner = (runtime: LocalRuntime): string => {
  const { stack } = runtime;
  const overridden =
    stack.overriddenParameters.length > 0 ? ` + --parameter-overrides ${stack.overriddenParameters.join(', ')}` : '';
  const configTable = stack.samconfigCommand === 'deploy' ? '' : ` (${stack.samconfigCommand} table)`;
  const source = `${stack.configEnv ? `samconfig env "${stack.configEnv}"${configTable}` : 'parameter defaults (no samconfig env)'}${overridden}`;
  const lines: string[] = [
    `sam-local-runtime: ${relative(process.cwd(), stack.templatePath) || stack.templatePath}, stack ${stack.pseudo.stackName}, ${source}, region ${stack.region}`,
    '',
  ];
  for (const api of runtime.apis) {
    const url = runtime.info.apis.find((placed) => placed.logicalId === api.logicalId)?.url;
    lines.push(`REST API ${api.logicalId}  ${url ?? `${runtime.restUrl}/${api.stage}`}`);
    lines.push(
      ...table(
        api.operations.map((operation) => [
          operation.method,
          operation.resourcePath,
          integrationLabel(operation),
          authOf(operation),
        ]),
      ),
    );
    lines.push('');
  }
  for (const api of runtime.httpApis) {
    const url = runtime.info.apis.find((placed) => placed.logicalId === api.logicalId)?.url ?? runtime.restUrl;
    lines.push(`HTTP API ${api.logicalId}  ${url}${api.cors ? '  (CORS)' : ''}`);
    lines.push(
      ...table(
        api.routes.map((route) => [
          route.routeKey,
          route.refusal ? 'not run (500)' : httpIntegrationLabel(route.integration),
          httpAuthLabel(route),
        ]),
      ),
    );
    lines.push('');
  }
  for (const url of runtime.functionUrls) {
    const auth = url.authType === 'AWS_IAM' ? 'AWS_IAM (SigV4, service lambda)' : 'NONE';
    lines.push(
      `Function URL ${url.logicalId}  ${url.url}  (AuthType ${auth}${url.cors ? ', CORS' : ''}; every path and method: ${url.functionArn.split(':').at(-1)})`,
    );
  }
  if (runtime.functionUrls.length > 0) lines.push('');
  if (runtime.usagePlans.keys.length > 0) {
    lines.push('API keys (header x-api-key):');
    lines.push(
      ...table(
        runtime.usagePlans.keys.map((key) => {
          const plan = runtime.usagePlans.plans.find((candidate) => candidate.keyIds.includes(key.id));
          const limits = plan
            ? `${plan.name}: ${plan.throttle?.rate ?? '-'} req/s, burst ${plan.throttle?.burst ?? '-'}, quota ${plan.quota ? `${plan.quota.limit}/${plan.quota.period}` : '-'}`
            : 'no usage plan';
          return [key.name, key.value, limits];
        }),
      ),
    );
    lines.push('');
  }
  const usesTokens =
    runtime.apis.some((api) =>
      api.operations.some((operation) => operation.authorizer && operation.authorizer.type !== 'aws_iam'),
    ) ||
    runtime.webSocketApis.some((api) => [...api.routes.values()].some((route) => route.authorizer !== undefined)) ||
    runtime.httpApis.some((api) => api.routes.some((route) => route.authorizer?.kind === 'jwt'));
  if (usesTokens) {
    lines.push(
      `Tokens: sam-local-runtime token --sub alice --scope "read write"   (issuer ${runtime.issuer.issuer}; POST ${runtime.restUrl}/_local/issuer/token)`,
    );
  }
  const usesIam =
    runtime.apis.some((api) => api.operations.some((operation) => operation.authorizer?.type === 'aws_iam')) ||
    runtime.httpApis.some((api) => api.routes.some((route) => route.authorizer?.kind === 'iam')) ||
    runtime.functionUrls.some((url) => url.authType === 'AWS_IAM');
  if (usesIam) {
    lines.push(
      `IAM (SigV4, service execute-api; lambda for function URLs): AWS_ACCESS_KEY_ID=${runtime.credentials.accessKeyId} AWS_SECRET_ACCESS_KEY=${runtime.credentials.secretAccessKey}`,
    );
  }
  if (runtime.services.length > 0) {
    lines.push('Local AWS endpoints (AWS_ENDPOINT_URL_<SERVICE> in every function):');
    lines.push(...table(runtime.services.map((service) => [service.name, service.url])));
    lines.push(...endpointSettings(runtime.aws, runtime.credentials, runtime.stack.region, runtime.acceptAnySignature));
  }
  const { aws } = runtime;
  const queues = aws.services.sqs.registry.all();
  if (queues.length > 0) {
    lines.push(`Queues (GET ${runtime.restUrl}/_local/queues shows depths and messages):`);
    lines.push(
      ...table(
        queues.map((queue) => {
          const redrive = queue.attributes.RedrivePolicy;
          const target = redrive
            ? `→ ${redrive.deadLetterTargetArn.split(':').at(-1)} after ${redrive.maxReceiveCount}`
            : '';
          return [queue.name, `visibility ${queue.attributes.VisibilityTimeout} s`, target];
        }),
      ),
    );
  }
  const machines = aws.services.stepfunctions.machines();
  if (machines.length > 0) {
    lines.push(`State machines (GET ${runtime.restUrl}/_local/executions):`);
    lines.push(...table(machines.map((machine) => [machine.seed.name, machine.type, machine.seed.arn])));
  }
  const topics = aws.services.sns.registry.all();
  if (topics.length > 0) {
    lines.push(`Topics (GET ${runtime.restUrl}/_local/topics):`);
    lines.push(
      ...table(
        topics.map((topic) => {
          const subscriptions = aws.services.sns.registry.subscriptionsOf(topic.arn);
          return [
            topic.name,
            subscriptions
              .map((item) =>
                item.protocol === 'http' || item.protocol === 'https'
                  ? `${item.protocol} ${item.endpoint}${item.pending ? ' (pending confirmation)' : ''}`
                  : `${item.protocol} ${item.endpoint.split(':').at(-1)}`,
              )
              .join(', '),
          ];
        }),
      ),
    );
  }
  const tables = aws.services.dynamodb.tableNames;
  if (tables.length > 0) lines.push(`DynamoDB tables: ${tables.join(', ')}`);
  const rules = eventRuleRows(aws.services.eventbridge);
  if (rules.length > 0) {
    lines.push(`EventBridge rules (GET ${runtime.restUrl}/_local/events shows the last events and what they matched):`);
    lines.push(...table(rules));
  }
  for (const api of runtime.webSocketApis) {
    const ws = runtime.wsUrl.replace(/^http/, 'ws');
    lines.push(
      `WebSocket API ${api.logicalId}  ${ws}/${api.stage}${connectQuery(api)}   (@connections: ${runtime.wsUrl}/${api.stage}/@connections/{id})`,
    );
    lines.push(`  routes: ${[...api.routes.keys()].join(', ')} (selection ${api.routeSelectionExpression})`);
  }
  if (runtime.report.unsupported.length > 0) {
    lines.push('', 'Not run locally:');
    lines.push(...runtime.report.unsupported.map((line) => `  - ${line}`));
  }
  if (runtime.report.hostRuntime.length > 0) {
    lines.push('', `Functions on this Node.js (${process.version}):`);
    lines.push(...runtime.report.hostRuntime.map((line) => `  - ${line}`));
  }
  if (runtime.report.noLocalEffect.length > 0) {
    const byType = new Map<string, number>();
    for (const entry of runtime.report.noLocalEffect) {
      const type = /\((.+)\)$/.exec(entry)?.[1] ?? entry;
      byType.set(type, (byType.get(type) ?? 0) + 1);
    }
    const summary = [...byType].map(([type, count]) => `${count} ${type}`).join(', ');
    lines.push(`No local effect (permissions, logs, account settings): ${summary}`);
  }
  if (runtime.watching.length > 0) lines.push('', `Watching ${runtime.watching.join(', ')} for changes.`);
  lines.push(`Runtime info (JSON): ${runtime.restUrl}/_local/runtime`);
  lines.push('Ctrl-C stops.');
  return lines.join('\n');
};
