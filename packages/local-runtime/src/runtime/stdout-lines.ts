/**
 * The runtime's lines to stdout, written once per event-loop turn: a write (a system call) per request line was a
 * large part of the gateway's CPU under load. Lines keep their order: what is pending goes out before anything
 * written with writeStdout, and on exit.
 */
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

/** Queues text for stdout; it is written at the end of this event-loop turn (or earlier, see flushStdout). */
export const writeStdoutSoon = (text: string): void => {
  pending += text;
  if (!flushesOnExit) {
    flushesOnExit = true;
    process.on('exit', flushStdout);
  }
  if (scheduled) return;
  scheduled = true;
  setImmediate(flushSoon);
};

/** Writes text to stdout now, after whatever is queued. */
export const writeStdout = (text: string): void => {
  flushStdout();
  process.stdout.write(text);
};
