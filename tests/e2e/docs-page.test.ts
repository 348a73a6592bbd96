import { type Browser, chromium } from 'playwright-core';
import { type RunningRuntime, startRuntime } from 'sam-local-runtime/testing';
import { validateAsyncApi } from '../../scripts/spec/asyncapi.ts';
import type { JsonObject } from '../../scripts/spec/openapi.ts';
import { browserSuite, CHROMIUM, requireChromium } from './chromium.ts';
import { localOnly } from './target.ts';

/**
 * The API reference of `npm start` (`/_local/docs`, Scalar from its npm package) in headless Chromium: it renders
 * the clean OpenAPI served at `/_local/openapi.json`, loads nothing from another origin, and its "Test Request"
 * calls the local stage with the local API key filled in. The AsyncAPI document is served beside it.
 */
const local = localOnly('the reference page is served by the local runtime');
const suite = browserSuite('docs-page.test.ts');

let runtime: RunningRuntime | undefined;
let browser: Browser | undefined;

afterAll(async () => {
  await browser?.close();
  await runtime?.stop();
});

const start = async () => {
  requireChromium();
  runtime = await startRuntime(['--config-env', 'test', '--routes', 'demo/routes.ts']);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update'],
  });
  return { runtime, browser };
};

suite('the API reference at /_local/docs', () => {
  local(
    'serves the clean OpenAPI and the AsyncAPI of the running stages; the page tries a request against the local stage',
    async () => {
      const { runtime, browser } = await start();
      const openapi = (await (await fetch(`${runtime.info.restUrl}/_local/openapi.json`)).json()) as JsonObject;
      const stage = runtime.info.apis.find((api) => api.kind === 'REST');
      expect(openapi.servers).toEqual([expect.objectContaining({ url: stage?.url })]);
      expect(JSON.stringify(openapi)).not.toContain('x-amazon-apigateway-');
      const asyncapi = (await (await fetch(`${runtime.info.restUrl}/_local/asyncapi.json`)).json()) as JsonObject;
      expect((asyncapi.servers as Record<string, JsonObject>).local?.host).toBe(
        new URL(runtime.info.webSockets[0]?.url ?? '').host,
      );
      expect((await validateAsyncApi(asyncapi)).filter((diagnostic) => diagnostic.severity === 'error')).toEqual([]);

      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      const errors: string[] = [];
      const origins = new Set<string>();
      page.on('pageerror', (error) => errors.push(error.message));
      page.on('request', (request) => origins.add(new URL(request.url()).origin));
      await page.goto(`${runtime.info.restUrl}/_local/docs#tag/catalog/GET/v1/catalog`);
      await page.getByRole('heading', { name: 'Orders API' }).first().waitFor({ timeout: 30_000 });
      await page.locator('button', { hasText: 'Test Request' }).first().click();
      const tried = page.waitForRequest((request) => request.url().startsWith(`${stage?.url}/v1/catalog`));
      const answered = page.waitForResponse((response) => response.url().startsWith(`${stage?.url}/v1/catalog`));
      await page.locator('button', { hasText: 'Send' }).first().click();
      const request = await tried;
      const response = await answered;
      expect(request.headers()['x-api-key']).toBe(runtime.info.apiKeys[0]?.value);
      expect(response.status()).toBe(200);
      // The answer is shown in the client's response panel.
      await page.locator('text=/"items"/').first().waitFor({ timeout: 10_000 });
      expect([...origins]).toEqual([runtime.info.restUrl]);
      expect(errors).toEqual([]);
    },
    120_000,
  );
});
