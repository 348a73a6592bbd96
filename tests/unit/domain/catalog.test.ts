import { categories, findProduct, isCategory, listProducts, products } from '#domain/catalog';

describe('catalog', () => {
  it('has products in every category, with integer EUR prices', () => {
    for (const category of categories) expect(listProducts(category).length).toBeGreaterThan(0);
    for (const p of products) {
      expect(Number.isInteger(p.price.amount)).toBe(true);
      expect(p.price.currency).toBe('EUR');
    }
  });

  it('filters by category and lists everything without one', () => {
    expect(listProducts('books').every((p) => p.category === 'books')).toBe(true);
    expect(listProducts()).toHaveLength(products.length);
    expect(listProducts('games').map((p) => p.sku)).toEqual(['SKU-GAME-001', 'SKU-GAME-002']);
  });

  it('knows SKU-SOLDOUT with no stock, and not unknown skus', () => {
    expect(findProduct('SKU-SOLDOUT')?.stock).toBe(0);
    expect(findProduct('SKU-NOPE')).toBeUndefined();
  });

  it('recognises categories', () => {
    expect(isCategory('music')).toBe(true);
    expect(isCategory('food')).toBe(false);
  });

  it('returns copies: callers cannot change the catalogue', () => {
    const list = listProducts();
    list.pop();
    expect(listProducts()).toHaveLength(products.length);
  });
});
