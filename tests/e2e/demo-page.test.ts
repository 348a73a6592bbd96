import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';
import { type RunningRuntime, startRuntime } from 'sam-local-runtime/testing';

/**
 * The demo page of `npm start` (`/_local/`) in a real headless Chromium (Debian's, which `.ci/run` installs): sign in,
 * connect to the WebSocket API, place an order over REST and see its status arrive live.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

let runtime: RunningRuntime;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: run .ci/run or apt-get install chromium`);
  runtime = await startRuntime(['--config-env', 'test', '--routes', 'demo/routes.ts']);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await runtime?.stop();
});

it('signs in, connects, places an order and shows its status live', async () => {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${runtime.info.restUrl}/_local/`);
  await page.click('#connect');
  // Expressions as strings: they run in the page, and the project's TypeScript has no DOM types.
  await page.waitForFunction(`document.getElementById('status')?.textContent === 'connected'`);
  await page.selectOption('#payment', 'tok_visa');
  await page.click('#order');
  await page.waitForFunction(`document.getElementById('status')?.textContent === 'order CONFIRMED'`, undefined, {
    timeout: 30_000,
  });
  const orderId = await page.textContent('#order-id');
  expect(orderId).toMatch(/^ord_[0-9a-f]{32}$/);
  const log = (await page.textContent('#log')) ?? '';
  expect(log).toContain(`"type":"subscribed","orderId":"${orderId}"`);
  expect(log).toContain(`"type":"order-status","orderId":"${orderId}","status":"CONFIRMED"`);
  expect(errors).toEqual([]);
}, 60_000);
