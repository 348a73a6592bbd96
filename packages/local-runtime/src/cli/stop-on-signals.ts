import { writeStdout } from '../runtime/stdout-lines.ts';

/** SIGINT and SIGTERM stop the command: `close()`, then exit; a stuck function does not keep it alive past 5 s. */
export const stopOnSignals = (close: () => Promise<void>): void => {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    writeStdout(`\n${signal}: stopping\n`);
    setTimeout(() => process.exit(1), 5000).unref();
    void close().then(() => process.exit(0));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
};
