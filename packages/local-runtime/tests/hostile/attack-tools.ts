import type { RunningRuntime } from '../../src/testing/index.ts';
import { requestBytes } from './hostile-input.ts';
import { type RawAnswer, rawExchange } from './raw-http.ts';
import { signServiceRequest } from './service-requests.ts';

/**
 * What the attack batteries (service-attacks, port-attacks) share: the runtime's ports by name, requests signed as an
 * SDK client signs them but sent as raw bytes, and a runner that judges each answer. Every case must get one answer
 * (no hang, no close without one), never a 5xx, and pass its own `ok` when it has one.
 */
const CONCURRENCY = 6;

export interface AttackCase {
  label: string;
  port: number;
  bytes: () => Promise<Buffer> | Buffer;
  ok?: (answer: RawAnswer) => boolean;
}

/** JSON arrays `levels` deep. */
export const deep = (levels: number): string => `${'['.repeat(levels)}${']'.repeat(levels)}`;

export const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
export const form = (pairs: string[]): string => pairs.join('&');
export const portOf = (url: string): number => Number(new URL(url).port);

export const attackTools = (runtime: RunningRuntime) => {
  const serviceUrl = (name: string) => {
    const service = runtime.info.services.find((candidate) => candidate.name === name);
    if (!service) throw new Error(`no ${name} endpoint: ${runtime.info.services.map((s) => s.name).join(', ')}`);
    return service.url;
  };

  /**
   * Signed as the service's SDK client would sign it, the path as given (no URL parser to resolve `..` or fix
   * escapes), then sent as raw bytes.
   */
  const signedRequest = async (
    service: string,
    method: string,
    target: string,
    body: string | Buffer,
    headers: Record<string, string>,
  ): Promise<Buffer> => {
    const url = serviceUrl(service);
    const signed = await signServiceRequest(runtime.info.credentials, service, url, {
      method,
      target,
      headers: { host: new URL(url).host, ...headers },
      body,
    });
    return requestBytes(method, target, Object.entries(signed), Buffer.from(body));
  };

  /** Every port the runtime opens, by name. */
  const allPorts = (): [string, number][] => [
    ['api', portOf(runtime.info.restUrl)],
    ['websocket', portOf(runtime.info.wsUrl)],
    ...runtime.info.apis.map((api): [string, number] => [`${api.kind} ${api.logicalId}`, portOf(api.url)]),
    ...runtime.info.services.map((service): [string, number] => [service.name, portOf(service.url)]),
  ];

  return { serviceUrl, signedRequest, allPorts };
};

/** Runs the cases a few at a time; returns what went wrong, one line per case (ATTACK_DEBUG=1 prints every answer). */
export const runAll = async (cases: AttackCase[]): Promise<string[]> => {
  const findings: string[] = [];
  let next = 0;
  const lane = async () => {
    while (next < cases.length) {
      const one = cases[next] as AttackCase;
      next += 1;
      const answer = await rawExchange(one.port, await one.bytes());
      const text = answer.body.subarray(0, 160).toString();
      if (process.env.ATTACK_DEBUG) process.stdout.write(`${answer.status} ${one.label} => ${text.slice(0, 120)}\n`);
      if (answer.hung) findings.push(`${one.label}: no answer`);
      else if (answer.status === undefined && !answer.resetWhileSending)
        findings.push(`${one.label}: closed unanswered`);
      else if ((answer.status ?? 0) >= 500) findings.push(`${one.label}: ${answer.status} ${text}`);
      else if (one.ok && !one.ok(answer)) findings.push(`${one.label}: ${answer.status} ${text}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
  return findings;
};
