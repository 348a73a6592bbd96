import WebSocket from 'ws';

export interface TestSocket {
  socket: WebSocket;
  messages: unknown[];
  /** Resolves with the first message (parsed JSON) matching the predicate, received before or after the call. */
  next: (match: (message: Record<string, unknown>) => boolean, timeoutMs?: number) => Promise<Record<string, unknown>>;
  closed: Promise<{ code: number; reason: string }>;
}

/** Opens a WebSocket; resolves once open, or rejects with the HTTP status the handshake was refused with. */
export const openSocket = (url: string): Promise<TestSocket> =>
  new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    const messages: unknown[] = [];
    const waiters = new Set<() => void>();
    socket.on('message', (data) => {
      const text = data.toString();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON: kept as text
      }
      messages.push(parsed);
      for (const waiter of waiters) waiter();
    });
    const closed = new Promise<{ code: number; reason: string }>((done) => {
      socket.on('close', (code, reason) => done({ code, reason: reason.toString() }));
    });
    socket.on('unexpected-response', (_request, response) => {
      reject(
        Object.assign(new Error(`handshake refused with ${response.statusCode}`), { status: response.statusCode }),
      );
      socket.terminate();
    });
    socket.on('error', (error) => reject(error));
    socket.on('open', () =>
      resolve({
        socket,
        messages,
        closed,
        next: (match, timeoutMs = 15_000) =>
          new Promise((found, fail) => {
            const check = () => {
              const hit = messages.find(
                (message) =>
                  message !== null && typeof message === 'object' && match(message as Record<string, unknown>),
              );
              if (!hit) return false;
              waiters.delete(check);
              clearTimeout(timer);
              found(hit as Record<string, unknown>);
              return true;
            };
            const timer = setTimeout(() => {
              waiters.delete(check);
              fail(new Error(`no matching message in ${timeoutMs} ms; got ${JSON.stringify(messages)}`));
            }, timeoutMs);
            if (!check()) waiters.add(check);
          }),
      }),
    );
  });
