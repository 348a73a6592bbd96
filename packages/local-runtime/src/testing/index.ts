export { eventually } from './eventually.ts';
export {
  type Answer,
  type ClientConfig,
  call,
  type RunningRuntime,
  type RuntimeInfo,
  type StartRuntimeOptions,
  startRuntime,
} from './harness.ts';
export { signedHeaders } from './sign.ts';
export { runtimeForSuite, type SuiteHook, type SuiteRuntimeOptions } from './suite-runtime.ts';
export { openSocket, type TestSocket } from './ws-client.ts';
