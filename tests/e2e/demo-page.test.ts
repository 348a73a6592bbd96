import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { browserSuite, type DemoPage, openDemoPage } from './chromium.ts';

/**
 * The demo page of `npm start` (`/_local/`) in a real headless Chromium (Debian's, which `.ci/run` installs): sign in,
 * connect to the WebSocket API, place v2 and v1 orders with different payment outcomes and see them in the live
 * timeline; the routes table shows each route's auth. A screenshot of the page goes to the temp directory.
 *
 * Without Chromium the test is skipped with a message saying how to install it, except in CI (CI=true), where a
 * missing browser fails the run.
 */
const SCREENSHOT = join(tmpdir(), 'demo-page.png');
const suite = browserSuite('demo-page.test.ts');

suite('the demo page at /_local/', () => {
  let demo: DemoPage;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    demo = await openDemoPage(['--config-env', 'test', '--routes', 'demo/routes.ts'], 1000);
    ({ page, errors } = demo);
  }, 120_000);

  afterAll(async () => {
    await demo?.close();
  });

  const timelineText = async () => (await page.textContent('#timeline')) ?? '';

  it('signs in, connects, places a v2 order and shows its status live in the timeline', async () => {
    await page.click('#connect');
    await page.waitForFunction(`document.getElementById('status')?.textContent === 'connected'`);
    expect(await page.textContent('#who')).toContain('signed in as alice');
    await page.check('input[name=version][value=v2]');
    await page.check('input[name=payment][value=tok_visa]');
    await page.click('#order');
    await page.waitForSelector('#timeline li[data-type="order-status"]:has-text("CONFIRMED")', { timeout: 30_000 });
    const orderId = await page.getAttribute('#orders li', 'data-order-id');
    expect(orderId).toMatch(/^ord_[0-9a-f]{32}$/);
    expect(await page.textContent(`#orders li[data-order-id="${orderId}"] .badge`)).toBe('CONFIRMED');
    const timeline = await timelineText();
    expect(timeline).toContain('POST /v2/orders → 202');
    expect(timeline).toContain(`Following ${orderId?.slice(0, 12)}`);
    expect(timeline).toMatch(/is CONFIRMED/);
    // The readable line is the entry; the raw message is folded under it.
    const raw = await page.textContent('#timeline li[data-type="order-status"] details pre');
    expect(JSON.parse(raw ?? '{}')).toMatchObject({ type: 'order-status', orderId, status: 'CONFIRMED' });
  }, 60_000);

  it('places a v1 order with a declined payment and shows it FAILED with the reason', async () => {
    await page.check('input[name=version][value=v1]');
    await page.check('input[name=payment][value=tok_declined]');
    await page.click('#order');
    await page.waitForSelector('#orders li .badge.FAILED', { timeout: 30_000 });
    expect(await timelineText()).toContain('POST /v1/orders → 202');
    expect(await page.textContent('#orders li:first-child .meta')).toMatch(/declined/);
  }, 60_000);

  it('lists the routes with their auth, links the runtime pages, and tries a route', async () => {
    const legacyRow = page.locator('#routes tr', { hasText: '/v1/legacy/{proxy+}' });
    expect(await legacyRow.textContent()).toMatch(/ANY.*JWT token.*API key/);
    expect(await page.locator('#routes tr', { hasText: '/v1/admin/usage' }).textContent()).toContain('IAM (SigV4)');
    expect(await page.locator('#routes tr', { hasText: '/health' }).textContent()).toContain('none');
    expect(await page.locator('#ws-routes').textContent()).toContain('subscribe');
    for (const link of ['/_local/queues', '/_local/executions', '/_local/tables', '/_local/docs']) {
      expect(await page.locator(`header nav a[href="${link}"]`).count()).toBe(1);
    }
    await page.click('#routes tr:has-text("/health") button');
    await page.waitForSelector('#response-line:has-text("/health")');
    expect(await page.textContent('#response-line')).toMatch(/^200 /);
  }, 30_000);

  it('renders without page errors (screenshot in the temp directory)', async () => {
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(existsSync(SCREENSHOT)).toBe(true);
    expect(errors).toEqual([]);
  });
});
