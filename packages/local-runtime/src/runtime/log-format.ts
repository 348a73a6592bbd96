import { styleText } from 'node:util';
import type { RequestLogEntry } from '../rest/server.ts';

/**
 * How the runtime's lines reach the terminal: plain text when piped, coloured on a terminal (NO_COLOR turns colour
 * off, FORCE_COLOR on), or one JSON object per line (`--log-format json`) for machines. Every line has a source: a
 * request (`GET /dev/items 200 ...`), a component (`[sqs] ...`, `[lambda] ...`), or a function's own output.
 */
export type LogFormat = 'text' | 'json';

export interface RuntimeLog {
  /** A line of the runtime's own. */
  line: (text: string) => void;
  /** One answered request: `GET /dev/items 403 1.2 ms lambda-proxy — why`. */
  request: (entry: RequestLogEntry) => void;
  /** A line a function wrote; Lambda's console lines are `<time>\t<request id>\t<LEVEL>\t<message>`. */
  functionLine: (logicalId: string, text: string) => void;
}

const LAMBDA_LINE = /^(\d{4}-\d\d-\d\dT[\d:.]+Z)\t([^\t]*)\t([A-Z]+)\t([\s\S]*)$/;
const COMPONENT_LINE = /^\[([a-z-]+)\] ([\s\S]*)$/;

type Style = Parameters<typeof styleText>[0];

export const useColor = (stream: { isTTY?: boolean } = process.stdout): boolean => {
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  if (process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true;
};

const statusStyle = (status: number): Style => (status >= 500 ? 'red' : status >= 400 ? 'yellow' : 'green');
const levelStyle = (level: string): Style =>
  level === 'ERROR' || level === 'FATAL' ? 'red' : level === 'WARN' ? 'yellow' : 'gray';

export const createRuntimeLog = (options: {
  format: LogFormat;
  color: boolean;
  write: (text: string) => void;
}): RuntimeLog => {
  const paint = (style: Style, text: string) =>
    options.color ? styleText(style, text, { validateStream: false }) : text;
  if (options.format === 'json') {
    const emit = (fields: Record<string, unknown>) =>
      options.write(`${JSON.stringify({ time: new Date().toISOString(), ...fields })}\n`);
    return {
      request: (entry) =>
        emit({
          source: 'api',
          method: entry.method,
          url: entry.url,
          status: entry.status,
          latencyMs: Number(entry.latencyMs.toFixed(1)),
          integration: entry.integration,
          ...(entry.reason ? { reason: entry.reason } : {}),
        }),
      line: (text) => {
        const component = COMPONENT_LINE.exec(text);
        emit(component ? { source: component[1], message: component[2] } : { source: 'runtime', message: text });
      },
      functionLine: (logicalId, text) => {
        const lambda = LAMBDA_LINE.exec(text);
        emit(
          lambda
            ? { source: 'function', function: logicalId, requestId: lambda[2], level: lambda[3], message: lambda[4] }
            : { source: 'function', function: logicalId, message: text },
        );
      },
    };
  }
  return {
    request: (entry) => {
      const latency = `${entry.latencyMs.toFixed(1)} ms ${entry.integration}`;
      const reason = entry.reason ? ` ${paint('yellow', `— ${entry.reason}`)}` : '';
      options.write(
        `${paint('bold', entry.method)} ${entry.url} ${paint(statusStyle(entry.status), String(entry.status))} ${paint('gray', latency)}${reason}\n`,
      );
    },
    line: (text) => {
      const component = COMPONENT_LINE.exec(text);
      options.write(
        component && options.color ? `${paint('magenta', `[${component[1]}]`)} ${component[2]}\n` : `${text}\n`,
      );
    },
    functionLine: (logicalId, text) => {
      const lambda = LAMBDA_LINE.exec(text);
      const who = lambda ? `${logicalId} ${lambda[2]?.slice(0, 8)}` : logicalId;
      const body = lambda ? `${paint(levelStyle(lambda[3] ?? ''), lambda[3] ?? '')} ${lambda[4]}` : text;
      options.write(`${paint('cyan', `[${who}]`)} ${body}\n`);
    },
  };
};
