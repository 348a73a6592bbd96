type Callback<T> = (error: Error | null | undefined, value?: T) => void;

/** The part of dynalite's table store (db/index.js, `store.tableDb`) its actions read and write table definitions with. */
export interface TableDb {
  get(name: string, callback: Callback<unknown>): void;
  put(name: string, value: unknown, callback?: Callback<void>): void;
  del(name: string, callback?: Callback<void>): void;
}

/**
 * Keeps each table's definition in memory in front of dynalite's table store: every item operation starts with
 * `getTable`, a LevelDB read of a record that changes only with CreateTable, UpdateTable and DeleteTable (the largest
 * item of the local DynamoDB's CPU under load). A hit answers a fresh copy (as LevelDB's JSON decoding does: dynalite
 * changes the object it gets before writing it back), asynchronously as LevelDB does. Any write drops the name's entry
 * when it starts and when it ends, and a read that overlapped a write is not kept, so the cache never answers a
 * definition older than the store's.
 */
export const cacheTableDefinitions = (tableDb: TableDb): void => {
  const cached = new Map<string, string>();
  let writes = 0;
  const { get, put, del } = tableDb;
  const forget = (name: string) => {
    writes += 1;
    cached.delete(name);
  };
  tableDb.get = (name, callback) => {
    const hit = cached.get(name);
    if (hit !== undefined) {
      process.nextTick(callback, null, JSON.parse(hit));
      return;
    }
    const before = writes;
    get.call(tableDb, name, (error, value) => {
      if (!error && before === writes && typeof value === 'object' && value !== null) {
        cached.set(name, JSON.stringify(value));
      }
      callback(error, value);
    });
  };
  tableDb.put = (name, value, callback) => {
    forget(name);
    put.call(tableDb, name, value, (error) => {
      forget(name);
      callback?.(error);
    });
  };
  tableDb.del = (name, callback) => {
    forget(name);
    del.call(tableDb, name, (error) => {
      forget(name);
      callback?.(error);
    });
  };
};

interface DynaliteDb {
  create: (options: Record<string, unknown>) => { tableDb: TableDb };
}

/**
 * Makes every dynalite store created from now on cache its table definitions (cacheTableDefinitions): dynalite makes
 * its store with `require('./db').create(options)` when it is called, so wrapping that module's `create` reaches it.
 */
export const dynaliteWithTableCache = (require: NodeJS.Require): void => {
  const db = require('dynalite/db/index.js') as DynaliteDb;
  const create = db.create;
  db.create = (options) => {
    const store = create(options);
    cacheTableDefinitions(store.tableDb);
    return store;
  };
};
