import { randomUUID } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { startStepFunctionsService } from '../../src/services/stepfunctions/server.ts';
import { rememberValid, validatedBefore } from '../../src/services/stepfunctions/validated-definitions.ts';
import { authFor } from './local-auth.ts';
import { ACCOUNT, FakeServices, functionArn } from './stepfunctions-fixture.ts';

const REGION = 'us-east-1';

/** A definition no earlier run has seen (its Comment is new), calling a queue at `port`. */
const definition = (comment: string, port: number, next = 'Done') =>
  JSON.stringify({
    Comment: comment,
    StartAt: 'Send',
    States: {
      Send: {
        Type: 'Task',
        Resource: 'arn:aws:states:::sqs:sendMessage',
        Parameters: { QueueUrl: `http://127.0.0.1:${port}/${ACCOUNT}/q`, MessageBody: 'x' },
        Next: next,
      },
      Done: { Type: 'Pass', End: true, Result: functionArn('none') },
    },
  });

const start = (text: string) => {
  const fakes = new FakeServices();
  return startStepFunctionsService({
    stateMachines: [{ name: 'm', arn: `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:m`, definition: text }],
    invokeLambda: fakes.invokeLambda,
    sendMessage: fakes.sendMessage,
    region: REGION,
    auth: authFor(REGION),
    accountId: ACCOUNT,
  });
};

describe('state machine definitions validated at start', () => {
  it('remembers a valid definition whatever the ports of its URLs, and never an invalid one', async () => {
    const comment = `valid ${randomUUID()}`;
    expect(validatedBefore(definition(comment, 4001), '{}')).toBe(false);
    rememberValid(definition(comment, 4001), '{}');
    // The local endpoints take a free port at each start: the same definition on another port is known.
    expect(validatedBefore(definition(comment, 52_123), '{}')).toBe(true);
    expect(validatedBefore(definition(`${comment} changed`, 4001), '{}')).toBe(false);

    const valid = await start(definition(`started ${randomUUID()}`, 4001));
    await valid.close();
    // A definition naming a state that does not exist is refused at every start, not only the first.
    const invalid = definition(`invalid ${randomUUID()}`, 4001, 'Missing');
    await expect(start(invalid)).rejects.toThrow(/State machine m/);
    await expect(start(invalid)).rejects.toThrow(/State machine m/);
  });
});
