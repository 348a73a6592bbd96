import type { Scenario } from './scenario.ts';

/** Recordings of the areas above that cannot apply to a runtime on one machine, each with the reason. */
export const NOT_APPLICABLE: Scenario[] = [
  // common, http, extended, basic, canary, api
  {
    area: 'MOCK integrations',
    id: {
      file: 'test_apigateway_canary',
      test: 'TestCanaryDeployments::test_invoking_canary_deployment',
      key: 'response-canary-deployment',
    },
    notApplicable:
      "canary stages: the answer comes from a canary deployment taking 100% of the stage's traffic with its own stage-variable overrides, made by update_stage after the stage exists; the runtime serves each stage from the one deployment of its template",
  },
];
