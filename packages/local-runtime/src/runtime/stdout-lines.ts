/**
 * The runtime's lines to stdout, written at most every FLUSH_MS: a write (a system call) per request line was a large
 * part of the gateway's CPU under load, and one per event-loop turn still one per request or two (2% of the
 * gateway's main thread in a profile under load). Lines keep their order: what is pending goes out before anything
 * written with writeStdout, and on exit.
 */
const FLUSH_MS = 10;
let pending = '';
let scheduled = false;
let flushesOnExit = false;

export const flushStdout = (): void => {
  if (pending === '') return;
  const text = pending;
  pending = '';
  process.stdout.write(text);
};

const flushSoon = () => {
  scheduled = false;
  flushStdout();
};

/** Queues text for stdout; it is written within FLUSH_MS (or earlier, see flushStdout). */
export const writeStdoutSoon = (text: string): void => {
  pending += text;
  if (!flushesOnExit) {
    flushesOnExit = true;
    process.on('exit', flushStdout);
  }
  if (scheduled) return;
  scheduled = true;
  // Not what keeps the process running: on exit the pending lines are written anyway.
  setTimeout(flushSoon, FLUSH_MS).unref();
};

/** Writes text to stdout now, after whatever is queued. */
export const writeStdout = (text: string): void => {
  flushStdout();
  process.stdout.write(text);
};
