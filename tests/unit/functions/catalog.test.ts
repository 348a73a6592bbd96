import { readFileSync } from 'node:fs';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { handler } from '../../../src/functions/catalog/handler.ts';
import { matchesModel } from './openapi-models.ts';

const event = JSON.parse(
  readFileSync(new URL('../../../events/catalog.json', import.meta.url), 'utf8'),
) as APIGatewayProxyEvent;
const withCategory = (category: string | undefined): APIGatewayProxyEvent => ({
  ...event,
  queryStringParameters: category === undefined ? null : { category },
});

describe('catalog handler', () => {
  it('answers the sample event with the books only, cacheable, with CORS', async () => {
    const response = await handler(event);
    expect(response.statusCode).toBe(200);
    expect(response.headers).toMatchObject({
      'Content-Type': 'application/json',
      'Cache-Control': 'public, max-age=300',
      'Access-Control-Allow-Origin': '*',
    });
    const body = JSON.parse(response.body);
    expect(body.category).toBe('books');
    expect(body.items.map((p: { sku: string }) => p.sku)).toEqual(['SKU-BOOK-001', 'SKU-BOOK-002', 'SKU-BOOK-003']);
  });

  it.each([undefined, ''])('lists every product without a category (%p)', async (category) => {
    const body = JSON.parse((await handler(withCategory(category))).body);
    expect(body.category).toBeUndefined();
    expect(body.items.length).toBe(8);
    expect(body.items.some((p: { sku: string; stock: number }) => p.sku === 'SKU-SOLDOUT' && p.stock === 0)).toBe(true);
  });

  it('answers what api/openapi.yaml promises: Catalog for 200, Error for 400', async () => {
    for (const category of [undefined, 'books', 'music', 'games']) {
      const response = await handler(withCategory(category));
      expect(response.statusCode).toBe(200);
      expect(matchesModel('Catalog', JSON.parse(response.body))).toEqual([]);
    }
    expect(matchesModel('Error', JSON.parse((await handler(withCategory('food'))).body))).toEqual([]);
  });

  it('400s an unknown category and says which are known', async () => {
    const response = await handler(withCategory('food'));
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body)).toEqual({
      message: 'Unknown category "food"',
      code: 'ValidationError',
      errors: [{ path: 'category', message: 'must be one of books, music, games' }],
    });
  });
});
