import { connect } from 'node:net';

/** What came back for one raw exchange: the status line's code (if any), the head, the body, and how it ended. */
export interface RawAnswer {
  status?: number;
  head: string;
  body: Buffer;
  /** Neither an answer nor a close within the time allowed. */
  hung: boolean;
  /**
   * The server reset the connection while the request was still being sent: it answered early (a refusal before the
   * body) and closed with the rest unread, and a reset discards an answer the client has not read yet.
   */
  resetWhileSending: boolean;
}

const HEAD_END = Buffer.from('\r\n\r\n');

/** The payload of a chunked body (as much of it as arrived). */
const dechunk = (raw: Buffer): Buffer => {
  const parts: Buffer[] = [];
  let at = 0;
  while (at < raw.length) {
    const lineEnd = raw.indexOf('\r\n', at);
    if (lineEnd < 0) break;
    const size = Number.parseInt(raw.subarray(at, lineEnd).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(raw.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
};

/**
 * Writes `bytes` to host:port as they are (no client library that would refuse or fix them) and reads until the
 * server closes, or until one whole answer arrived when it keeps the connection. `Connection: close` in the request
 * makes most servers close after the answer; a server that neither answers nor closes is reported as hung.
 */
export const rawExchange = (port: number, bytes: Buffer, timeoutMs = 10_000, host = '127.0.0.1'): Promise<RawAnswer> =>
  new Promise((resolve) => {
    const socket = connect({ host, port });
    const chunks: Buffer[] = [];
    let settled = false;
    let sent = false;
    let resetWhileSending = false;
    const finish = (hung: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const all = Buffer.concat(chunks);
      const end = all.indexOf(HEAD_END);
      const head = (end < 0 ? all : all.subarray(0, end)).toString('latin1');
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(head);
      const raw = end < 0 ? Buffer.alloc(0) : all.subarray(end + 4);
      resolve({
        ...(match?.[1] ? { status: Number(match[1]) } : {}),
        head,
        body: /\r\ntransfer-encoding: *chunked/i.test(head) ? dechunk(raw) : raw,
        hung,
        resetWhileSending,
      });
    };
    const complete = () => {
      const all = Buffer.concat(chunks);
      const end = all.indexOf(HEAD_END);
      if (end < 0) return false;
      const head = all.subarray(0, end).toString('latin1');
      if (/^HTTP\/1\.1 101/.test(head)) return true;
      const length = /\r\ncontent-length: *(\d+)/i.exec(head);
      if (length?.[1]) return all.length - end - 4 >= Number(length[1]);
      if (/\r\ntransfer-encoding: *chunked/i.test(head)) return all.subarray(end).includes('\r\n0\r\n\r\n');
      // HEAD answers and 204/304 carry no body.
      return /^HTTP\/1\.[01] (1\d\d|204|304)/.test(head);
    };
    const timer = setTimeout(() => finish(true), timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      if (complete()) finish(false);
    });
    socket.on('end', () => finish(false));
    socket.on('close', () => finish(false));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (!sent && (error.code === 'ECONNRESET' || error.code === 'EPIPE')) resetWhileSending = true;
      finish(false);
    });
    socket.on('connect', () =>
      socket.write(bytes, () => {
        sent = true;
      }),
    );
  });

/** Reads VmRSS (resident memory) of a process in bytes from Linux's /proc. */
export const residentBytes = async (pid: number): Promise<number> => {
  const { readFile } = await import('node:fs/promises');
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  if (!kb) throw new Error(`no VmRSS for process ${pid}`);
  return Number(kb) * 1024;
};
