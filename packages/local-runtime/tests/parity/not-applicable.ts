import type { Scenario } from './scenario.ts';

/** Recordings of the areas above that cannot apply to a runtime on one machine, each with the reason. */
export const NOT_APPLICABLE: Scenario[] = [
  // integrations, lambda, services, import
  // end: integrations, lambda, services, import
  // common, http, extended, basic, canary, api
  {
    area: 'MOCK integrations',
    id: {
      file: 'test_apigateway_canary',
      test: 'TestCanaryDeployments::test_invoking_canary_deployment',
      key: 'response-canary-deployment',
    },
    notApplicable:
      "canary stages: recorded after update_stage sent 100% of the stage's traffic to the canary deployment (its own response template, the canary's stage-variable overrides); locally a stage's canary takes none of its traffic, as at the 0% of response-deployment-1",
  },
];
