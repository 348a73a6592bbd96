import { fixtureRuntime } from '../fixture-runtime.ts';

/** Subscriptions the local SNS does not deliver to are named when the runtime starts, not only when a message is published. */
const runtime = fixtureRuntime('sns-undelivered');

it('names the email and sms subscriptions of the template at start-up', () => {
  expect(runtime.output()).toMatch(/\[sns\] Alerts\.Subscription\[0\]: email subscriptions are not delivered locally/);
  expect(runtime.output()).toMatch(/\[sns\] PagerSms: sms subscriptions are not delivered locally/);
});
