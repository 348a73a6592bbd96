import { EventEmitter } from 'node:events';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { type Item, type ItemChange, keysOf, sameItem } from './stream-records.ts';

/** The header the runtime's TTL sweeper marks its deletions with, its value a secret of this process. */
export const TTL_DELETION_HEADER = 'x-local-runtime-ttl-deletion';

const PREFIX = 'DynamoDB_20120810.';

/**
 * Calls dynalite's request handler in this thread, as a client would over HTTP, and answers its status and parsed
 * body. dynalite only checks that an Authorization header is there: the request never left the worker.
 */
export const callDynalite = (
  handler: RequestListener,
  operation: string,
  input: unknown,
): Promise<{ status: number; body: unknown }> =>
  new Promise((resolve) => {
    const request = Object.assign(new EventEmitter(), {
      method: 'POST',
      url: '/',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': `${PREFIX}${operation}`,
        'x-amz-date': '20000101T000000Z',
        authorization:
          'AWS4-HMAC-SHA256 Credential=local/20000101/local/dynamodb/aws4_request, SignedHeaders=host, Signature=local',
      },
    });
    const response = {
      statusCode: 200,
      setHeader: () => {},
      end: (text?: string) => {
        let body: unknown;
        try {
          body = text ? JSON.parse(text) : {};
        } catch {
          body = {};
        }
        resolve({ status: response.statusCode, body });
      },
    };
    handler(request as unknown as IncomingMessage, response as unknown as ServerResponse);
    request.emit('data', Buffer.from(JSON.stringify(input)));
    request.emit('end');
  });

type Json = Record<string, unknown>;
const isJson = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** An item a write names: by its key, or whole (a Put), whose key is read from it once the key schema is known. */
interface Target {
  table: string;
  key?: unknown;
  item?: unknown;
}

/** The items a write request may change, by operation; none for anything else (reads, PartiQL, table operations). */
export const writeTargets = (operation: string, input: unknown): Target[] => {
  if (!isJson(input)) return [];
  const table = typeof input.TableName === 'string' ? input.TableName : '';
  switch (operation) {
    case 'PutItem':
      return [{ table, item: input.Item }];
    case 'UpdateItem':
    case 'DeleteItem':
      return [{ table, key: input.Key }];
    case 'BatchWriteItem':
      return Object.entries(isJson(input.RequestItems) ? input.RequestItems : {}).flatMap(([name, requests]) =>
        (Array.isArray(requests) ? requests : []).flatMap((request): Target[] => {
          if (!isJson(request)) return [];
          if (isJson(request.PutRequest)) return [{ table: name, item: request.PutRequest.Item }];
          if (isJson(request.DeleteRequest)) return [{ table: name, key: request.DeleteRequest.Key }];
          return [];
        }),
      );
    case 'TransactWriteItems':
      return (Array.isArray(input.TransactItems) ? input.TransactItems : []).flatMap((entry): Target[] => {
        if (!isJson(entry)) return [];
        const put = isJson(entry.Put) ? entry.Put : undefined;
        const keyed = [entry.Update, entry.Delete].find(isJson);
        if (put) return [{ table: String(put.TableName ?? ''), item: put.Item }];
        if (keyed) return [{ table: String(keyed.TableName ?? ''), key: keyed.Key }];
        return [];
      });
    default:
      return [];
  }
};

/**
 * Captures the item changes of writes to tables with a stream, in the DynamoDB worker (dynalite-worker.ts). Such a
 * write is serialised with every other one: each named item is read (a consistent GetItem) before and after the
 * request runs, so the stream gets the changes in the order the writes were made. The request itself reaches dynalite
 * as it was sent, and its answer is the client's, untouched; a write that failed (a failed condition, a refused
 * request) or changed nothing makes no change.
 */
export const streamCapture = (options: {
  streamed: ReadonlySet<string>;
  handler: RequestListener;
  ttlToken: string;
  onChange: (change: ItemChange) => void;
}) => {
  const { streamed, handler } = options;
  let tail: Promise<void> = Promise.resolve();
  const keySchemas = new Map<string, string[]>();

  const keyNamesOf = async (table: string): Promise<string[]> => {
    const known = keySchemas.get(table);
    if (known) return known;
    const { status, body } = await callDynalite(handler, 'DescribeTable', { TableName: table });
    const schema =
      isJson(body) && isJson(body.Table) && Array.isArray(body.Table.KeySchema) ? body.Table.KeySchema : [];
    const names = schema.map((key) => String((key as Json).AttributeName));
    if (status === 200) keySchemas.set(table, names);
    return names;
  };

  const read = async (table: string, keys: Item): Promise<Item | undefined> => {
    const { status, body } = await callDynalite(handler, 'GetItem', {
      TableName: table,
      Key: keys,
      ConsistentRead: true,
    });
    if (status !== 200) throw new Error(`reading ${table} for its stream answered ${status}`);
    return isJson(body) && isJson(body.Item) ? (body.Item as Item) : undefined;
  };

  const run = async (targets: Target[], response: ServerResponse, forward: () => void, ttl: boolean): Promise<void> => {
    const items: { table: string; keys: Item; before: Item | undefined }[] = [];
    try {
      for (const target of targets) {
        const keys = keysOf(target.key ?? target.item, await keyNamesOf(target.table));
        if (keys) items.push({ table: target.table, keys, before: await read(target.table, keys) });
      }
    } catch (error) {
      // The write still runs as it was sent; only its records are lost.
      console.error('[dynamodb] stream capture failed', error);
      forward();
      return;
    }
    const status = await new Promise<number>((resolve) => {
      const end = response.end.bind(response) as (...args: unknown[]) => ServerResponse;
      response.end = ((...args: unknown[]) => {
        resolve(response.statusCode);
        return end(...args);
      }) as ServerResponse['end'];
      forward();
    });
    if (status !== 200) return;
    const at = Date.now();
    for (const { table, keys, before } of items) {
      const after = await read(table, keys);
      if (sameItem(before, after)) continue;
      options.onChange({
        table,
        keys,
        ...(before ? { before } : {}),
        ...(after ? { after } : {}),
        at,
        ...(ttl ? { ttl } : {}),
      });
    }
  };

  /** Runs the request through `forward` itself when it writes to a streamed table (answering true), else false. */
  return (request: IncomingMessage, response: ServerResponse, body: Buffer, forward: () => void): boolean => {
    const target = String(request.headers['x-amz-target'] ?? '');
    if (request.method !== 'POST' || !target.startsWith(PREFIX)) return false;
    let input: unknown;
    try {
      input = JSON.parse(body.toString('utf8'));
    } catch {
      return false;
    }
    const targets = writeTargets(target.slice(PREFIX.length), input).filter((found) => streamed.has(found.table));
    if (targets.length === 0) return false;
    const ttl = options.ttlToken !== '' && request.headers[TTL_DELETION_HEADER] === options.ttlToken;
    const turn = tail.then(() => run(targets, response, forward, ttl));
    // A failed capture costs its records only: the next write still runs.
    tail = turn.catch((error: unknown) => console.error('[dynamodb] stream capture failed', error));
    return true;
  };
};
