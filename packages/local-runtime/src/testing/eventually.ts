/**
 * Polls `check` until it holds or `timeoutMs` has passed, and says whether it held: the one wait the black-box tests
 * use for what happens asynchronously (log lines, queue deliveries, table clean-up), asserting on the answer.
 */
export const eventually = async (
  check: () => boolean | Promise<boolean>,
  timeoutMs = 5000,
  intervalMs = 20,
): Promise<boolean> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
};
