import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/sam-local-runtime.js', import.meta.url));
export const FIXTURE = fileURLToPath(new URL('../fixtures/lambda-api/template.yaml', import.meta.url));

export interface LambdaEndpointProcess {
  url: string;
  /** The local credentials the endpoints verify signatures against (from the banner's export line). */
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** Where the child writes its bundles. */
  buildDir: string;
  serviceUrl: (name: string) => string;
  output: () => string;
  stop: () => Promise<void>;
}

/** `sam-local-runtime start-lambda` as a child process on a free port, once its banner names the endpoint. */
export const startLambdaEndpoint = async (args: string[], template = FIXTURE): Promise<LambdaEndpointProcess> => {
  const buildDir = mkdtempSync(join(tmpdir(), 'local-runtime-build-'));
  const child: ChildProcess = spawn(
    process.execPath,
    [BIN, 'start-lambda', '--port', '0', '--build-dir', buildDir, '-t', template, ...args],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`start-lambda did not start:\n${output}`)), 60_000);
    const check = () => {
      if (/Local AWS endpoints:[\s\S]*lambda +http/.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', check);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`start-lambda exited with ${code}:\n${output}`));
    });
  });
  const serviceUrl = (name: string) => {
    const match = new RegExp(`^  ${name} +(http://\\S+)$`, 'm').exec(output);
    if (!match?.[1]) throw new Error(`no ${name} endpoint in:\n${output}`);
    return match[1];
  };
  const key = /AWS_ACCESS_KEY_ID=(\S+) AWS_SECRET_ACCESS_KEY=(\S+)/.exec(output);
  if (!key?.[1] || !key[2]) throw new Error(`no credentials in:\n${output}`);
  return {
    url: serviceUrl('lambda'),
    credentials: { accessKeyId: key[1], secretAccessKey: key[2] },
    buildDir,
    serviceUrl,
    output: () => output,
    stop: () =>
      new Promise((resolve) => {
        child.removeAllListeners('exit');
        if (child.exitCode !== null) {
          resolve();
          return;
        }
        child.once('exit', () => {
          rmSync(buildDir, { recursive: true, force: true });
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
};

/** One `sam-local-runtime <command> ...` run to its end (`stdin` written to it, if given): exit code and output. */
export const runCommand = (
  args: string[],
  stdin?: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> =>
  new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      stdio: [stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.stdin?.end(stdin);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
