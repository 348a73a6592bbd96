import { readFileSync } from 'node:fs';
import { generateSdk } from '../../scripts/sdk/generate.ts';

/**
 * The committed client (sdk/generated/) is what `npm run sdk` makes from api/openapi.yaml and api/asyncapi.yaml
 * today: change a source, run `npm run sdk`, commit both.
 */
it('sdk/generated/ is fresh: regenerating changes no byte (else run npm run sdk)', async () => {
  const generated = await generateSdk();
  expect([...generated.keys()].sort()).toEqual([
    'sdk/generated/asyncapi.ts',
    'sdk/generated/openapi.ts',
    'sdk/generated/security.ts',
  ]);
  for (const [path, content] of generated) {
    expect({ path, fresh: readFileSync(path, 'utf8') === content }).toEqual({ path, fresh: true });
  }
}, 60_000);

it('generates the same bytes twice', async () => {
  const [first, second] = [await generateSdk(), await generateSdk()];
  expect([...second]).toEqual([...first]);
}, 60_000);
