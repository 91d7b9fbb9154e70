/**
 * The till's IndexedDB (idb): the queue of sales not yet confirmed by the server, and the
 * catalog of the store, so scanning and selling go on without a network and across reloads.
 */
import { type DBSchema, type IDBPDatabase, openDB } from 'idb';
import type { CatalogSnapshot } from '../catalog-types.ts';
import type { QueuedSale } from './sale.ts';

interface PosDb extends DBSchema {
  sales: { key: number; value: QueuedSale; indexes: { clientOrderId: string } };
  catalog: { key: string; value: CatalogSnapshot };
}

export type Database = IDBPDatabase<PosDb>;

let opened: Promise<Database> | null = null;

export function database(name = 'comanda-pos'): Promise<Database> {
  opened ??= openDB<PosDb>(name, 1, {
    upgrade(db) {
      // seq (auto-increment) is the queue's order: the order in which the cashier completed the sales
      const sales = db.createObjectStore('sales', { keyPath: 'seq', autoIncrement: true });
      sales.createIndex('clientOrderId', 'clientOrderId', { unique: true });
      db.createObjectStore('catalog', { keyPath: 'storeId' });
    },
  });
  return opened;
}

/** tests: forget the connection (fake-indexeddb is reset between them) */
export function resetDatabase(): void {
  opened = null;
}
