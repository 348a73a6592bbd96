/**
 * Resolves after `ms`, as soon as `signal` aborts, or when the wake-up function handed to `register` is called,
 * whichever comes first; `register` returns how to forget that function, which is done once the wait ends.
 */
export const abortableWait = (
  ms: number,
  signal: AbortSignal,
  register?: (wake: () => void) => () => void,
): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    let forget: (() => void) | undefined;
    const timer = setTimeout(wake, ms);
    function wake() {
      clearTimeout(timer);
      forget?.();
      signal.removeEventListener('abort', wake);
      resolve();
    }
    signal.addEventListener('abort', wake, { once: true });
    forget = register?.(wake);
  });
