import { describe, expect, it } from '@jest/globals';
import { cacheTableDefinitions, type TableDb } from '../../src/services/dynamodb/table-cache.ts';

type Callback = (error: Error | null | undefined, value?: unknown) => void;

/** dynalite's table store as it behaves: JSON values, answers on a later turn, NotFoundError for a missing name. */
const store = () => {
  const records = new Map<string, string>();
  const reads: string[] = [];
  const later: (() => void)[] = [];
  const tableDb: TableDb = {
    get: (name, callback: Callback) => {
      reads.push(name);
      const record = records.get(name);
      later.push(() =>
        record === undefined
          ? callback(Object.assign(new Error('NotFound'), { name: 'NotFoundError' }))
          : callback(null, JSON.parse(record)),
      );
    },
    put: (name, value, callback) => {
      later.push(() => {
        records.set(name, JSON.stringify(value));
        callback?.(null);
      });
    },
    del: (name, callback) => {
      later.push(() => {
        records.delete(name);
        callback?.(null);
      });
    },
  };
  /** Runs what the store has queued, in order. */
  const settle = async () => {
    while (later.length > 0) later.shift()?.();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { tableDb, reads, settle };
};

const read = (tableDb: TableDb, name: string) =>
  new Promise<{ error?: Error | null; value?: unknown }>((resolve) =>
    tableDb.get(name, (error, value) => resolve({ error, value })),
  );
const write = (tableDb: TableDb, name: string, value: unknown) =>
  new Promise<void>((resolve) => tableDb.put(name, value, () => resolve()));

describe('the table definition cache in front of dynalite', () => {
  it('reads a definition from the store once, then answers copies of it', async () => {
    const { tableDb, reads, settle } = store();
    cacheTableDefinitions(tableDb);
    const written = write(tableDb, 'orders', { TableStatus: 'ACTIVE', KeySchema: ['pk'] });
    await settle();
    await written;
    const first = read(tableDb, 'orders');
    await settle();
    const copy = (await first).value as { KeySchema: string[] };
    copy.KeySchema.push('changed by the caller');
    const second = await read(tableDb, 'orders');
    expect(second.value).toEqual({ TableStatus: 'ACTIVE', KeySchema: ['pk'] });
    expect(reads).toEqual(['orders']);
  });

  it('reads the store again after a put or a delete, and keeps no read a write overlapped', async () => {
    const { tableDb, reads, settle } = store();
    cacheTableDefinitions(tableDb);
    void write(tableDb, 'orders', { TableStatus: 'CREATING' });
    await settle();
    // A read that started before a write and answers the old record is not kept.
    const overlapped = read(tableDb, 'orders');
    void write(tableDb, 'orders', { TableStatus: 'ACTIVE' });
    await settle();
    expect((await overlapped).value).toEqual({ TableStatus: 'CREATING' });
    const after = read(tableDb, 'orders');
    await settle();
    expect((await after).value).toEqual({ TableStatus: 'ACTIVE' });
    expect((await read(tableDb, 'orders')).value).toEqual({ TableStatus: 'ACTIVE' });
    expect(reads).toEqual(['orders', 'orders']);

    tableDb.del('orders', () => {});
    await settle();
    const gone = read(tableDb, 'orders');
    await settle();
    expect((await gone).error?.name).toBe('NotFoundError');
    expect(reads).toEqual(['orders', 'orders', 'orders']);
  });
});
