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
export { openSocket, type TestSocket } from './ws-client.ts';
