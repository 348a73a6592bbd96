import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { RunningRuntime } from 'sam-local-runtime/testing';
import { browserSuite, type DemoPage, openDemoPage } from './chromium.ts';

/**
 * Issue 24's trace page in a real headless Chromium: an order placed on the demo page links its timeline entry to
 * its trace; the link opens `/_local/traces/<id>`, a waterfall from the REST stage through the authorizer, the
 * functions and their AWS calls to the workflow's states, each bar placed on the trace's time line. A screenshot goes
 * to the temp directory. Skipped without Chromium outside CI, as the demo page's test is.
 */
const SCREENSHOT = join(tmpdir(), 'trace-page.png');
const suite = browserSuite('trace-page.test.ts');

suite('the trace page at /_local/traces', () => {
  let demo: DemoPage;
  let runtime: RunningRuntime;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    demo = await openDemoPage(['--config-env', 'test', '--time-scale', '0.05', '--routes', 'demo/routes.ts'], 900);
    ({ runtime, page, errors } = demo);
  }, 120_000);

  afterAll(async () => {
    await demo?.close();
  });

  let href = '';

  it('links the order placed on the demo page, and its updates, to the order trace', async () => {
    await page.click('#connect');
    await page.waitForFunction(`document.getElementById('status')?.textContent === 'connected'`);
    await page.check('input[name=version][value=v1]');
    await page.check('input[name=payment][value=tok_flaky]');
    await page.click('#order');
    await page.waitForSelector('#timeline li[data-type="order-status"]:has-text("CONFIRMED")', { timeout: 30_000 });
    href = (await page.getAttribute('#timeline li[data-type="http"] a.trace', 'href')) ?? '';
    expect(href).toMatch(/^\/_local\/traces\/1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    // The live status push belongs to the same order, hence the same trace.
    expect(await page.getAttribute('#timeline li[data-type="order-status"] a.trace', 'href')).toBe(href);
  }, 60_000);

  it('shows the trace as a waterfall, every hop with its duration', async () => {
    await page.goto(`${runtime.info.restUrl}${href}`);
    await page.waitForSelector('#waterfall tr[data-span="NotifySubscribers"]');
    const spans = await page.$$eval('#waterfall tbody tr', (rows) =>
      rows.map((row) => ({
        name: (row as unknown as { dataset: Record<string, string> }).dataset.span,
        kind: (row as unknown as { dataset: Record<string, string> }).dataset.kind,
        duration: (row as unknown as { dataset: Record<string, string> }).dataset.durationMs,
      })),
    );
    const kinds = new Set(spans.map((span) => span.kind));
    for (const kind of ['AWS::ApiGateway::Stage', 'gateway', 'AWS::Lambda::Function', 'aws', 'state']) {
      expect(kinds).toContain(kind);
    }
    expect(spans.find((span) => span.kind === 'AWS::StepFunctions::StateMachine')?.name).toBe('orders-workflow-test');
    for (const name of ['Authorizer', 'Integration', 'ValidateOrder', 'ChargePayment']) {
      expect(Number(spans.find((span) => span.name === name)?.duration)).toBeGreaterThanOrEqual(0);
    }
    // Bars sit on one time line: the stage segment starts at 0 and spans the request.
    const bar = await page.getAttribute('#waterfall tr[data-kind="AWS::ApiGateway::Stage"] .span', 'style');
    expect(bar).toMatch(/left:0\.00%/);
  }, 30_000);

  it('renders without page errors (screenshot in the temp directory)', async () => {
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(existsSync(SCREENSHOT)).toBe(true);
    expect(errors).toEqual([]);
  });
});
