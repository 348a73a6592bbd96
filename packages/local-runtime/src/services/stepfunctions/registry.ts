import { SfnError } from './errors.ts';
import type { Execution } from './executions.ts';
import type { LocalStateMachine } from './state-machine.ts';

const STATE_MACHINE_ARN = /^arn:[a-z-]+:states:[a-z0-9-]+:\d{12}:stateMachine:[^:\s]+(:[^:\s]+)?$/;
const EXECUTION_ARN = /^arn:[a-z-]+:states:[a-z0-9-]+:\d{12}:(execution|express):[^:\s]+:[^:\s]+(:[^:\s]+)?$/;

/** The service's state machines and executions, and the runs still going. */
export class Registry {
  readonly machines = new Map<string, LocalStateMachine>();
  readonly executions = new Map<string, Execution>();
  private readonly runs = new Set<Promise<void>>();

  machine(arn: string): LocalStateMachine {
    if (!STATE_MACHINE_ARN.test(arn)) throw new SfnError('InvalidArn', `Invalid Arn: '${arn}'`);
    const machine = this.machines.get(arn);
    if (!machine) throw new SfnError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    return machine;
  }

  /** Removes a state machine; an ARN of the right form naming none is no error (see DeleteStateMachine). */
  deleteMachine(arn: string): void {
    if (!STATE_MACHINE_ARN.test(arn)) throw new SfnError('InvalidArn', `Invalid Arn: '${arn}'`);
    this.machines.delete(arn);
  }

  /**
   * A STANDARD execution: Express executions are not kept by Step Functions, so DescribeExecution, StopExecution and
   * GetExecutionHistory refuse their ARNs (API reference: "This API action is not supported by EXPRESS state
   * machines").
   */
  standardExecution(arn: string): Execution {
    const kind = EXECUTION_ARN.exec(arn)?.[1];
    if (!kind) throw new SfnError('InvalidArn', `Invalid Arn: '${arn}'`);
    if (kind === 'express') {
      throw new SfnError('InvalidArn', "Invalid Arn: 'Resource type not valid in this context: express'");
    }
    const execution = this.executions.get(arn);
    if (!execution) throw new SfnError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return execution;
  }

  track(run: Promise<void>): void {
    this.runs.add(run);
    const forget = () => this.runs.delete(run);
    run.then(forget, forget);
  }

  /** Resolves once no execution is running, including those started meanwhile. */
  async idle(): Promise<void> {
    while (this.runs.size > 0) await Promise.allSettled([...this.runs]);
  }
}
