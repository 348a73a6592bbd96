import type { Money } from './money.ts';

export const categories = ['books', 'music', 'games'] as const;
export type Category = (typeof categories)[number];

export interface Product {
  sku: string;
  name: string;
  category: Category;
  price: Money;
  stock: number;
}

const product = (sku: string, name: string, category: Category, amount: number, stock: number): Product => ({
  sku,
  name,
  category,
  price: { amount, currency: 'EUR' },
  stock,
});

/**
 * The sample catalogue is static on purpose: GET /v1/catalog is the route that shows API Gateway's response
 * cache, and a fixed answer per category makes cache hits easy to see. `SKU-SOLDOUT` exists so the workflow's
 * out-of-stock failure path can be exercised with a real product.
 */
export const products: readonly Product[] = Object.freeze([
  product('SKU-BOOK-001', 'The Pragmatic Programmer', 'books', 4299, 25),
  product('SKU-BOOK-002', 'Designing Data-Intensive Applications', 'books', 4999, 12),
  product('SKU-BOOK-003', 'Release It!', 'books', 3799, 8),
  product('SKU-MUSIC-001', 'Kind of Blue (vinyl)', 'music', 2599, 30),
  product('SKU-MUSIC-002', 'Random Access Memories (CD)', 'music', 1499, 40),
  product('SKU-GAME-001', 'Settlers of Catan', 'games', 3999, 15),
  product('SKU-GAME-002', 'Ticket to Ride', 'games', 4499, 10),
  product('SKU-SOLDOUT', 'Limited Edition Box Set', 'music', 9999, 0),
]);

const bySku = new Map(products.map((p) => [p.sku, p]));

export const isCategory = (value: string): value is Category => (categories as readonly string[]).includes(value);

export const findProduct = (sku: string): Product | undefined => bySku.get(sku);

/** All products, or those of one category. */
export const listProducts = (category?: Category): Product[] =>
  category === undefined ? [...products] : products.filter((p) => p.category === category);
