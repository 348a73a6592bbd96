import { format } from 'node:util';

/**
 * The console of Lambda's Node.js runtimes in the text log format (Lambda developer guide, "Log and monitor
 * Node.js Lambda functions"): every `console.*` line is `<ISO time>\t<request id>\t<LEVEL>\t<message>`, the request id
 * being `undefined` during init, as on Lambda. Writes go to the environment's stdout, which the pool reads.
 */
export const installLambdaConsole = (currentRequestId: () => string | undefined): void => {
  const write =
    (level: string) =>
    (...args: unknown[]) => {
      process.stdout.write(`${new Date().toISOString()}\t${currentRequestId()}\t${level}\t${format(...args)}\n`);
    };
  console.log = write('INFO');
  console.info = write('INFO');
  console.warn = write('WARN');
  console.error = write('ERROR');
  console.debug = write('DEBUG');
  console.trace = write('TRACE');
};
