import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { categories, isCategory, listProducts } from '#domain/catalog';
import { ValidationError } from '#domain/errors';
import { errorResponse, json } from '#shared/http';
import { instrumented } from '#shared/instrument';

/** Browsers and CDNs may keep it as long as the stage's response cache does. */
const cacheHeaders = { 'Cache-Control': 'public, max-age=300' };

export const handler = instrumented(async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
  try {
    const category = event.queryStringParameters?.category;
    if (category === undefined || category === '') return json(200, { items: listProducts() }, cacheHeaders);
    if (!isCategory(category)) {
      throw new ValidationError(`Unknown category "${category}"`, [
        { path: 'category', message: `must be one of ${categories.join(', ')}` },
      ]);
    }
    return json(200, { category, items: listProducts(category) }, cacheHeaders);
  } catch (error) {
    return errorResponse(error);
  }
});
