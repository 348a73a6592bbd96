/**
 * `npm run guard [-- Name=Value ...]`: AWS Control Tower's proactive controls over the SAM transform of template.yaml
 * (default Stage=prod), as a Control Tower hook would see it. Prints every finding, marks the accepted ones, and
 * exits 1 on any other. Exits 2 when the SAM translator is not importable (README, "AWS Control Tower controls").
 */
import {
  ACCEPTED,
  loadForTransform,
  newFindings,
  parameterValues,
  resolveForDeployment,
  runGuard,
  samTransform,
} from './control-tower.ts';

const overrides = Object.fromEntries(process.argv.slice(2).map((arg) => arg.split(/=(.*)/s).slice(0, 2)));
const source = loadForTransform();
const parameters = parameterValues(source, { Stage: 'prod', ...overrides });
const transformed = samTransform(source, { Stage: 'prod', ...overrides });
if ('unavailable' in transformed) {
  console.error(`SAM translator unavailable: ${transformed.unavailable}`);
  console.error('Set SAM_PYTHON and PYTHONPATH as README "AWS Control Tower controls" shows.');
  process.exit(2);
}
const template = resolveForDeployment(transformed.template, parameters);
const findings = runGuard(template);
const unexpected = newFindings(findings, template);
for (const finding of findings) {
  const accepted = !unexpected.includes(finding);
  const why = accepted ? ` (accepted: ${ACCEPTED.find((a) => a.control === finding.control)?.why})` : '';
  console.log(`${accepted ? 'accepted' : 'FAILED  '} ${finding.control} ${finding.resource} ${finding.type}${why}`);
}
const shown = Object.entries(parameters)
  .filter(([name]) => ['Stage', 'EndpointType'].includes(name) || name in overrides)
  .map(([name, value]) => `${name}=${value}`)
  .join(' ');
console.log(`${shown}: ${findings.length - unexpected.length} accepted, ${unexpected.length} failed`);
process.exit(unexpected.length === 0 ? 0 : 1);
