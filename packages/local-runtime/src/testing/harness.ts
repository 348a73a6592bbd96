import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type AttributeValue, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { RuntimeInfo } from '../runtime/local-routes.ts';
import { eventually } from './eventually.ts';

export type { RuntimeInfo };

export interface ClientConfig {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

export interface RunningRuntime {
  info: RuntimeInfo;
  /** `http://127.0.0.1:PORT/<stage>` of the first REST API. */
  base: string;
  output: () => string;
  /** The runtime's process id (to read its memory from /proc) and whether it has exited. */
  pid: number;
  exited: () => boolean;
  /** Resolves once the runtime has printed a line matching `pattern` (log lines follow their responses). */
  waitForOutput: (pattern: RegExp, timeoutMs?: number) => Promise<boolean>;
  keyOf: (logicalId: string) => string;
  /** The URL of a local AWS endpoint (`sqs`, `stepfunctions`, `dynamodb`, `ssm`). */
  serviceUrl: (name: string) => string;
  /**
   * An SDK client's settings for that endpoint: its URL, the stack's region and the local credentials, the only ones
   * the endpoints accept (unless `--accept-any-signature`).
   */
  clientConfig: (name: string) => ClientConfig;
  /** The physical name of the template's first DynamoDB table. */
  tableName: () => Promise<string>;
  /** Every item of that table, read with the real DynamoDB client from the local endpoint. */
  tableItems: () => Promise<Record<string, AttributeValue>[]>;
  token: (body: Record<string, unknown>) => Promise<string>;
  stop: () => Promise<number | null>;
}

export interface StartRuntimeOptions {
  /** Rebuild on change (default off). */
  watch?: boolean;
  /** `start` (default) or `start-api`. */
  command?: 'start' | 'start-api';
  /** The folder it runs in (default this process's): where the template and samconfig are looked for. */
  cwd?: string;
  /** Environment variables set for it, over this process's own (e.g. SAM_LOCAL_RUNTIME_TEST_FAULTS). */
  env?: Record<string, string>;
}

/**
 * Loaded from the TypeScript sources (this package's own workspace), the kit runs the runtime from them too, and a
 * `--routes` module that imports `sam-local-runtime` must resolve it the same way: with the sources' export condition.
 * Installed (dist/), it adds nothing.
 */
const SOURCE_CONDITIONS = import.meta.url.endsWith('.ts') ? ['--conditions=sam-local-runtime-source'] : [];

/**
 * Starts `npm start`'s entry point as a child process on free ports, the way a developer runs it, and waits for
 * its banner. Tests then talk to it over real HTTP only.
 */
export const startRuntime = async (args: string[], options: StartRuntimeOptions = {}): Promise<RunningRuntime> => {
  const buildDir = mkdtempSync(join(tmpdir(), 'local-runtime-build-'));
  const child: ChildProcess = spawn(
    process.execPath,
    [
      ...SOURCE_CONDITIONS,
      fileURLToPath(new URL('../../bin/sam-local-runtime.js', import.meta.url)),
      options.command ?? 'start',
      '--port',
      '0',
      '--ws-port',
      '0',
      options.watch ? '--watch' : '--no-watch',
      '--build-dir',
      buildDir,
      ...args,
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(options.cwd ? { cwd: options.cwd } : {}),
      ...(options.env ? { env: { ...process.env, ...options.env } } : {}),
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const restUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the runtime did not start:\n${output}`)), 90_000);
    const check = () => {
      const match = /Runtime info \(JSON\): (http:\/\/127\.0\.0\.1:\d+)\/_local\/runtime/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.on('data', check);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the runtime exited with ${code}:\n${output}`));
    });
  });
  const info = (await (await fetch(`${restUrl}/_local/runtime`)).json()) as RuntimeInfo;
  let dynamodb: DynamoDBClient | undefined;
  const tableName = async () => {
    const tables = (await (await fetch(`${restUrl}/_local/tables`)).json()) as { name: string }[];
    if (!tables[0]) throw new Error('no DynamoDB table');
    return tables[0].name;
  };
  const serviceUrl = (name: string) => {
    const service = info.services.find((candidate) => candidate.name === name);
    if (!service) throw new Error(`no local ${name} endpoint`);
    return service.url;
  };
  const clientConfig = (name: string): ClientConfig => ({
    endpoint: serviceUrl(name),
    region: info.region,
    credentials: { accessKeyId: info.credentials.accessKeyId, secretAccessKey: info.credentials.secretAccessKey },
  });
  return {
    info,
    base: info.apis[0]?.url ?? restUrl,
    output: () => output,
    pid: child.pid ?? 0,
    exited: () => child.exitCode !== null || child.signalCode !== null,
    waitForOutput: (pattern, timeoutMs = 2000) => eventually(() => pattern.test(output), timeoutMs),
    serviceUrl,
    clientConfig,
    tableName,
    tableItems: async () => {
      dynamodb ??= new DynamoDBClient(clientConfig('dynamodb'));
      const { Items = [] } = await dynamodb.send(new ScanCommand({ TableName: await tableName() }));
      return Items;
    },
    keyOf: (logicalId) => {
      const key = info.apiKeys.find((candidate) => candidate.logicalId === logicalId);
      if (!key) throw new Error(`no API key ${logicalId}`);
      return key.value;
    },
    token: async (body) => {
      const response = await fetch(`${restUrl}/_local/issuer/token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      return ((await response.json()) as { token: string }).token;
    },
    stop: () =>
      new Promise((resolve) => {
        dynamodb?.destroy();
        if (child.exitCode !== null) {
          resolve(child.exitCode);
          return;
        }
        child.once('exit', (code) => {
          rmSync(buildDir, { recursive: true, force: true });
          resolve(code);
        });
        child.kill('SIGTERM');
      }),
  };
};

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: () => Record<string, unknown>;
}

export const call = async (url: string, init: RequestInit = {}): Promise<Answer> => {
  const response = await fetch(url, init);
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    text,
    json: () => JSON.parse(text) as Record<string, unknown>,
  };
};
