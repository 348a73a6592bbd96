import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { currentTraceHeader } from '../../traces/trace-context.ts';
import { SfnError } from './errors.ts';
import { logStarted } from './execution-log.ts';
import { type Execution, newExecution } from './executions.ts';
import type { Registry } from './registry.ts';
import { checkLength, optionalString, type Request, requiredString } from './requests.ts';

// Execution names (API reference, "StartExecution": name): 1-80 characters, none of whitespace, brackets `< > { } [ ]`,
// wildcards `? *`, special characters `" # % \ ^ | ~ ` $ & , ; : /` or control characters (U+0000-001F, U+007F-009F).
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what the rule forbids.
const INVALID_NAME = /[\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]/;
// The input's limit: 256 KiB (API reference, "StartExecution": input, maximum length 262144).
const MAX_INPUT = 262_144;
const MAX_NAME = 80;

/**
 * StartExecution (API reference, "StartExecution"). The model's constraints are checked first (ValidationException),
 * then the ARN, the machine, the name's characters and the input's JSON. A STANDARD execution's name is unique:
 * the same name and input while it runs answers that execution again (the call is idempotent); other input, or an
 * execution that has ended, is ExecutionAlreadyExists. EXPRESS starts are not idempotent and their ARNs are unique.
 */
export const startExecution = (registry: Registry, log: (line: string) => void, request: Request) => {
  const { execution } = beginExecution(registry, log, request);
  return { executionArn: execution.executionArn, startDate: execution.startDate / 1000 };
};

/** Starts an execution (or finds the running one an idempotent start names); `run` settles when it has ended. */
export const beginExecution = (
  registry: Registry,
  log: (line: string) => void,
  request: Request,
): { execution: Execution; run?: Promise<void> } => {
  const stateMachineArn = requiredString(request, 'stateMachineArn');
  const givenName = optionalString(request, 'name');
  if (givenName !== undefined) checkLength('name', givenName, MAX_NAME);
  const input = optionalString(request, 'input') ?? '{}';
  if (Buffer.byteLength(input) > MAX_INPUT)
    checkLength('input', 'x'.repeat(MAX_INPUT + 1), MAX_INPUT, { sensitive: true });
  const machine = registry.machine(stateMachineArn);
  const name = givenName ?? randomUUID();
  // StartExecution's traceHeader, else the X-Ray header the call came with (API reference, "StartExecution").
  const traceHeader = optionalString(request, 'traceHeader') ?? currentTraceHeader();
  if (INVALID_NAME.test(name)) throw new SfnError('InvalidName', `Invalid Name: '${name}'`);
  let value: unknown;
  try {
    value = JSON.parse(input);
  } catch (error) {
    throw new SfnError('InvalidExecutionInput', `Invalid State Machine Execution Input: '${(error as Error).message}'`);
  }

  const executionArn =
    machine.type === 'EXPRESS'
      ? `${machine.seed.arn.replace(':stateMachine:', ':express:')}:${name}:${randomUUID()}`
      : `${machine.seed.arn.replace(':stateMachine:', ':execution:')}:${name}`;
  const existing = registry.executions.get(executionArn);
  if (existing) {
    if (existing.status === 'RUNNING' && isDeepStrictEqual(existing.inputValue, value)) {
      return { execution: existing };
    }
    throw new SfnError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
  }

  const execution = newExecution({
    executionArn,
    stateMachineArn: machine.seed.arn,
    machineName: machine.seed.name,
    machineType: machine.type,
    name,
    input,
    inputValue: value,
    ...(traceHeader ? { traceHeader } : {}),
  });
  registry.executions.set(executionArn, execution);
  logStarted(log, execution);
  const run = machine.run(execution, log);
  registry.track(run);
  return { execution, run };
};
