import type { Readable } from 'node:stream';

/** Splits a stream into lines (a partial last line waits for the rest); each line goes to `onLine`. */
export const readLines = (stream: Readable, onLine: (line: string) => void): void => {
  let pending = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) onLine(line);
  });
  stream.on('end', () => {
    if (pending) onLine(pending);
    pending = '';
  });
};

/**
 * The line an environment writes to its stdout after an invocation whose logs were asked for: once it is read, every
 * line the invocation wrote to stdout before it has been read too (a worker's stdout and its replies travel apart).
 */
export const END_OF_INVOCATION = '\u0000sam-local-runtime:end-of-invocation';

/** The lines one invocation writes, complete once its end marker has been read. */
export class InvocationLogs {
  readonly lines: string[] = [];
  private ended: () => void = () => {};
  /** Resolves when the marker is read; a marker that never comes (an environment that died) is waited for 1 s. */
  readonly complete: Promise<void>;

  constructor() {
    this.complete = new Promise((resolve) => {
      this.ended = resolve;
    });
  }

  /** Takes one line of the environment's output; answers false for the marker, which is not the function's. */
  take(line: string): boolean {
    if (line === END_OF_INVOCATION) {
      this.ended();
      return false;
    }
    this.lines.push(line);
    return true;
  }

  /** The invocation is over: waits for the marker, at most 1 s. */
  async finish(): Promise<string[]> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.complete, new Promise((resolve) => (timer = setTimeout(resolve, 1000)))]);
    clearTimeout(timer);
    return this.lines;
  }
}
