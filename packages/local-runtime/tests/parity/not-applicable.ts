import { UNHOSTED_SERVICES } from './not-applicable-services.ts';
import type { Scenario } from './scenario.ts';

/** Recordings of the areas above that cannot apply to a runtime on one machine, each with the reason. */
export const NOT_APPLICABLE: Scenario[] = [
  // integrations, lambda, services, import
  ...UNHOSTED_SERVICES,
  // end: integrations, lambda, services, import
];
