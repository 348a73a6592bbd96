import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { type RunningRuntime, startRuntime } from 'sam-local-runtime/testing';

/**
 * The headless Chromium the browser tests drive (playwright-core brings no browser of its own): Debian's
 * `/usr/bin/chromium`, which `.ci/run` installs, or CHROMIUM_PATH. Without it a browser suite is skipped with one
 * line saying how to install it — except in CI (CI set and not "false"), where a missing browser fails the run.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const IN_CI = process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false';
export const HOW_TO_INSTALL =
  'install it with `sudo apt-get install chromium` (Debian/Ubuntu; .ci/run does this) or point CHROMIUM_PATH at a ' +
  'Chromium or Chrome binary';
export const chromiumAvailable = existsSync(CHROMIUM);

/** `describe`, or `describe.skip` with the reason on stderr when there is no Chromium outside CI. */
export const browserSuite = (file: string): jest.Describe => {
  if (chromiumAvailable || IN_CI) return describe;
  process.stderr.write(`\n[${file}] SKIPPED (browser test): no Chromium at ${CHROMIUM}; ${HOW_TO_INSTALL}.\n\n`);
  return describe.skip;
};

/** For a suite's beforeAll: in CI without Chromium, fail with how to install it. */
export const requireChromium = (): void => {
  if (!chromiumAvailable) throw new Error(`no Chromium at ${CHROMIUM} (CI=${process.env.CI}): ${HOW_TO_INSTALL}`);
};

/** The starter's demo page (`/_local/`) open in headless Chromium on a runtime of its own, ready to drive. */
export interface DemoPage {
  runtime: RunningRuntime;
  page: Page;
  /** The page's uncaught errors, as they happen. */
  errors: string[];
  close(): Promise<void>;
}

/** Starts the runtime with `runtimeArgs` and opens its demo page in a 1360 px wide viewport, once it says it is ready. */
export const openDemoPage = async (runtimeArgs: string[], viewportHeight: number): Promise<DemoPage> => {
  requireChromium();
  const runtime = await startRuntime(runtimeArgs);
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    const page = await browser.newPage({ viewport: { width: 1360, height: viewportHeight } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${runtime.info.restUrl}/_local/`);
    // Expressions as strings: they run in the page, and the project's TypeScript has no DOM types.
    await page.waitForFunction(`document.body.dataset.ready === 'true'`);
    const opened = browser;
    return {
      runtime,
      page,
      errors,
      close: async () => {
        await opened.close();
        await runtime.stop();
      },
    };
  } catch (error) {
    await browser?.close();
    await runtime.stop();
    throw error;
  }
};
