import { createSocket } from 'node:dgram';
import type { TraceStore } from './trace-store.ts';

/**
 * The X-Ray daemon's UDP side, as the X-Ray SDKs speak to it (X-Ray developer guide, "Sending segment documents to
 * the X-Ray daemon"): each datagram is the header `{"format": "json", "version": 1}`, a newline, and one segment
 * document (a segment or an independent subsegment). Documents go to the trace store; a datagram that is not one is
 * counted and dropped, as the daemon drops it, and never stops the receiver.
 */
export interface XrayDaemon {
  /** `127.0.0.1:PORT`: what functions get as `AWS_XRAY_DAEMON_ADDRESS`. */
  address: string;
  /** Datagrams that were not a header and a segment document. */
  readonly dropped: number;
  close(): Promise<void>;
}

export const parseDatagram = (datagram: Buffer): unknown[] | undefined => {
  const text = datagram.toString('utf8');
  const newline = text.indexOf('\n');
  if (newline < 0) return undefined;
  try {
    const header = JSON.parse(text.slice(0, newline)) as { format?: unknown; version?: unknown };
    if (header.format !== 'json' || header.version !== 1) return undefined;
    // The SDKs send one document per datagram; the daemon protocol allows several, one per line.
    return text
      .slice(newline + 1)
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as unknown);
  } catch {
    return undefined;
  }
};

export const startXrayDaemon = (store: TraceStore, host = '127.0.0.1', port = 0): Promise<XrayDaemon> =>
  new Promise((resolve, reject) => {
    const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    let dropped = 0;
    socket.on('message', (datagram) => {
      const documents = parseDatagram(datagram);
      if (!documents) {
        dropped += 1;
        return;
      }
      for (const document of documents) if (!store.addDocument(document)) dropped += 1;
    });
    socket.once('error', reject);
    socket.bind(port, host, () => {
      socket.off('error', reject);
      socket.on('error', () => {});
      socket.unref();
      resolve({
        address: `${host}:${socket.address().port}`,
        get dropped() {
          return dropped;
        },
        close: () => new Promise((done) => socket.close(() => done())),
      });
    });
  });
