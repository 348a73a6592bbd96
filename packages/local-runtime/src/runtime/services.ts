import type { LocalEndpoint } from '../gateway/integrations/aws-service.ts';
import type { InvokeOutcome } from '../lambda/function-pool.ts';
import type { LambdaRuntime } from '../lambda/lambda-runtime.ts';
import { SERVICES } from '../services/index.ts';
import {
  arnServiceOf,
  type Delivery,
  type LocalServices,
  type ServiceContext,
  type ServiceDefinition,
  type ServiceName,
  type ServicePage,
  type StartedService,
} from '../services/registry.ts';
import { ownKeyOf, type ServiceAuth } from '../services/shared/request-auth.ts';
import type { LocalStack } from '../template/stack.ts';
import type { TraceStore } from '../traces/trace-store.ts';
import { notAppliedLine, resourceChanges } from './resource-changes.ts';

export interface AwsServicesOptions {
  host: string;
  /** Rewrites AWS URLs in resolved values to local ones (the Cognito issuer). */
  rewrite: (value: string) => string;
  /** Multiplies queue visibility timeouts and delays, and workflow waits and retry intervals. */
  timeScale: number;
  /** `--schedules`: whether the template's schedules run on their clock (see ServiceContext.schedules). */
  schedules?: 'off' | 'run';
  /** Keep DynamoDB data in this directory between runs (otherwise in a temporary one, removed at close). */
  persistDir?: string;
  log: (line: string) => void;
  /**
   * First of the fixed ports, one per service in services/index.ts order, so SDK and CLI settings keep working across
   * restarts; 0 or absent picks free ports.
   */
  servicePorts?: number;
  /** The Lambda endpoint's own port (start-lambda's --port), over the one servicePorts gives it. */
  lambdaPort?: number;
  /** Who may call the endpoints (the local credentials, or any well-formed signature). */
  auth: ServiceAuth;
  /** Bound late: the functions' environments need the services' URLs before the functions exist. */
  invokeLambda: (target: string, payload: unknown) => Promise<InvokeOutcome>;
  /** The functions as they are now, for the Lambda endpoint (bound late too). */
  functions: () => LambdaRuntime | undefined;
  /** Where traced workflow executions record their segments. */
  traces?: TraceStore;
}

export interface AwsServices {
  /** Each started service by name, with its own type. */
  services: LocalServices;
  all: StartedService[];
  /** AWS_ENDPOINT_URL_<SERVICE> for the functions' SDK clients. */
  environment: Record<string, string>;
  /**
   * The AWS host each endpoint stands in for (`dynamodb.us-east-1.amazonaws.com` → its local URL): clients that do not
   * read AWS_ENDPOINT_URL_* (the AWS SDK for JavaScript v2 that nodejs16.x and earlier include; botocore before 1.31)
   * call `https://<service>.<region>.amazonaws.com`, and the functions' environments send such calls here over HTTP
   * (see lambda/local-hosts.ts and the Python bootstrap's redirect_local_hosts).
   */
  hosts: Record<string, string>;
  /** Service name in an API Gateway integration URI (`sqs`, `states`, ...) → local endpoint, and whom to sign as. */
  endpointOf: (service: string) => LocalEndpoint | undefined;
  /** The services' pages under `/_local/`. */
  pages: ServicePage[];
  /** Hands a message to the resource an ARN names (see ServiceContext.deliver). */
  deliver(targetArn: string, delivery: Delivery): Promise<void>;
  /**
   * A template reloaded by `--watch`: each service that can takes its resources anew; of the others, the resources the
   * reload added, removed or changed are named (they run as at start until a restart).
   */
  reload(previous: LocalStack, next: LocalStack): string[];
  /**
   * Back to the template's initial state: queues emptied (queues created since deleted), tables deleted and created
   * again empty, parameters as the template gives them, executions and queued asynchronous invocations forgotten.
   */
  reset(): Promise<void>;
  close(): Promise<void>;
}

/** How many ports `--service-ports` reserves: one per service. */
export const SERVICE_PORT_COUNT = SERVICES.length;

/**
 * Starts the AWS services of services/index.ts on loopback, in order, each reading its resources from the template
 * (and overriding their Ref/GetAtt with local values where SDKs need them, as a queue's URL).
 */
export const startAwsServices = async (stack: LocalStack, options: AwsServicesOptions): Promise<AwsServices> => {
  const byName = new Map<string, StartedService>();
  const byArnName = new Map<string, StartedService>();
  const { auth } = options;
  const endpointAt = (url: string): LocalEndpoint => ({ url, region: auth.region, credentials: ownKeyOf(auth) });
  const deliver = async (targetArn: string, delivery: Delivery): Promise<void> => {
    const owner = byArnName.get(arnServiceOf(targetArn) ?? '');
    if (!owner?.deliver) throw new Error(`${targetArn}: no local service delivers to this target`);
    await owner.deliver(targetArn, delivery);
  };
  const starting = new Map<string, Promise<StartedService>>();
  const service = async <Name extends ServiceName>(name: Name): Promise<LocalServices[Name]> => {
    const found = starting.get(name);
    if (!found) throw new Error(`the ${name} service is used before it is started (see services/index.ts)`);
    return (await found) as unknown as LocalServices[Name];
  };
  const register = (definition: ServiceDefinition, running: StartedService) => {
    byName.set(definition.name, running);
    for (const arnName of definition.arnNames) byArnName.set(arnName, running);
  };
  try {
    for (const [index, definition] of SERVICES.entries()) {
      const port =
        definition.name === 'lambda' && options.lambdaPort !== undefined
          ? options.lambdaPort
          : options.servicePorts
            ? options.servicePorts + index
            : undefined;
      const context: ServiceContext = {
        stack,
        host: options.host,
        ...(port === undefined ? {} : { port }),
        auth,
        log: options.log,
        rewrite: options.rewrite,
        timeScale: options.timeScale,
        schedules: options.schedules ?? 'off',
        ...(options.persistDir ? { persistDir: options.persistDir } : {}),
        ...(options.traces ? { traces: options.traces } : {}),
        invokeLambda: options.invokeLambda,
        functions: options.functions,
        service,
        endpointAt,
        deliver,
      };
      const start = definition.start(context).then((running) => {
        register(definition, running);
        return running;
      });
      starting.set(definition.name, start);
      // A background start's failure is thrown where it is awaited, below.
      if (definition.startsInBackground) start.catch(() => {});
      else await start;
    }
    await Promise.all(starting.values());
    // In the list's order, whatever order the background starts ended in.
    const all = SERVICES.flatMap((definition) => byName.get(definition.name) ?? []);
    return {
      services: Object.fromEntries(byName) as unknown as LocalServices,
      all,
      environment: Object.fromEntries(
        SERVICES.map((definition) => [definition.environmentVariable, byName.get(definition.name)?.url ?? '']),
      ),
      hosts: Object.fromEntries(
        SERVICES.flatMap((definition) => {
          const url = byName.get(definition.name)?.url;
          return url ? [[`${definition.endpointPrefix}.${stack.region}.amazonaws.com`, url]] : [];
        }),
      ),
      endpointOf: (name) => {
        const owner = byArnName.get(name);
        return owner && endpointAt(owner.url);
      },
      pages: all.flatMap((running) => running.pages ?? []),
      deliver,
      reload: (previous, next) =>
        SERVICES.flatMap((definition) => {
          const running = byName.get(definition.name);
          if (running?.reload) return running.reload(next) ?? [];
          const changes = resourceChanges(previous, next, definition.resourceTypes);
          return changes.length === 0 ? [] : [notAppliedLine(definition.name, changes)];
        }),
      reset: async () => {
        for (const running of [...all].reverse()) await running.reset?.();
      },
      close: async () => {
        await Promise.all(all.map((running) => running.close()));
      },
    };
  } catch (error) {
    await Promise.allSettled(starting.values());
    await Promise.all([...byName.values()].map((running) => running.close()));
    throw error;
  }
};
