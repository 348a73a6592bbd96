import type { StateMachineDefinition } from 'aws-local-stepfunctions';

/** The parts of an ASL state this module reads or rewrites. */
export interface AslState {
  Type?: string;
  Resource?: string;
  Seconds?: number;
  TimeoutSeconds?: number;
  TimeoutSecondsPath?: string;
  Retry?: { IntervalSeconds?: number; MaxDelaySeconds?: number }[];
  Branches?: AslStates[];
  Iterator?: AslStates;
  ItemProcessor?: AslStates;
}

export interface AslStates {
  States?: Record<string, AslState>;
}

/** Every state of a definition with its name, those inside Parallel branches and Map processors included. */
export function* allStates(scope: AslStates): Generator<[string, AslState]> {
  for (const [name, state] of Object.entries(scope.States ?? {})) {
    yield [name, state];
    for (const nested of [...(state.Branches ?? []), state.Iterator, state.ItemProcessor]) {
      if (nested) yield* allStates(nested);
    }
  }
}

// Node's timers hold at most 2^31 - 1 ms; a longer timeout would fire at once.
const LONGEST_TIMER_SECONDS = Math.floor(2_147_483_647 / 1000);
// The ASL defaults a retrier's interval to 1 s (developer guide, "Handling errors": "Retrying after an error").
const DEFAULT_INTERVAL_SECONDS = 1;

/**
 * The definition as aws-local-stepfunctions should run it (a copy; the original is what DescribeStateMachine shows):
 *
 * - A Task without TimeoutSeconds has no timeout in Step Functions (the ASL default is 99999999 s), but the library
 *   applies 60 s; such Tasks get the longest timeout a Node timer can hold instead.
 * - `timeScale` multiplies Wait `Seconds`, retry `IntervalSeconds` and `MaxDelaySeconds`, so backoff and jitter still
 *   behave as written, only faster. Waits given by `SecondsPath`, `Timestamp` or `TimestampPath` depend on the
 *   input and run in real time.
 */
export const runnableDefinition = (definition: StateMachineDefinition, timeScale: number): StateMachineDefinition => {
  // A JSON copy, not structuredClone: the library's plain-object test rejects objects from another realm (Jest's VM).
  const copy = JSON.parse(JSON.stringify(definition)) as StateMachineDefinition;
  for (const [, state] of allStates(copy as AslStates)) {
    if (state.Type === 'Task' && state.TimeoutSeconds === undefined && state.TimeoutSecondsPath === undefined) {
      state.TimeoutSeconds = LONGEST_TIMER_SECONDS;
    }
    if (timeScale === 1) continue;
    if (state.Type === 'Wait' && typeof state.Seconds === 'number') state.Seconds *= timeScale;
    for (const retrier of state.Retry ?? []) {
      retrier.IntervalSeconds = (retrier.IntervalSeconds ?? DEFAULT_INTERVAL_SECONDS) * timeScale;
      if (retrier.MaxDelaySeconds !== undefined) retrier.MaxDelaySeconds *= timeScale;
    }
  }
  return copy;
};
