import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { LocalStack } from 'sam-local-runtime/template/stack';
import { webSocketApisOf } from 'sam-local-runtime/websocket/model';
import { loadForTransform, samTransform } from '../../scripts/control-tower/control-tower.ts';

/**
 * The starter's WebSocket API is an AWS::Serverless::WebSocketApi: the local runtime serves it as the real SAM
 * transform deploys it. Where samtranslator runs (SAM_PYTHON / PYTHONPATH, README "AWS Control Tower controls"), the
 * runtime reads template.yaml and the transform's output of it (Stage=dev, as `npm start` reads it) to the same
 * WebSocket API: its id, stage, route selection, routes, functions, authorizer and stage settings.
 */
const transformed = samTransform(loadForTransform(), { Stage: 'dev' });
const unavailable = 'unavailable' in transformed ? transformed.unavailable : undefined;

const servedOf = (stack: LocalStack) =>
  webSocketApisOf(stack).map((api) => ({
    ...api,
    routes: [...api.routes.values()].sort((a, b) => a.routeKey.localeCompare(b.routeKey)),
  }));

(unavailable ? describe.skip : describe)(
  `the starter's WebSocket API as the SAM transform deploys it${unavailable ? ` (skipped: ${unavailable})` : ''}`,
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'starter-transformed-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('serves the same routes, functions, authorizer and stage from template.yaml as from its transform', () => {
      const file = join(dir, 'template.json');
      writeFileSync(file, JSON.stringify('template' in transformed ? transformed.template : {}));
      // The same samconfig.toml environment for both (stack name, region, parameters).
      const samconfigPath = resolve('samconfig.toml');
      const local = new LocalStack({ templatePath: 'template.yaml', samconfigPath });
      const deployed = new LocalStack({ templatePath: file, samconfigPath });
      const [api] = servedOf(local);
      expect(servedOf(local)).toEqual(servedOf(deployed));
      expect(api).toMatchObject({ logicalId: 'OrdersWebSocketApi', stage: 'dev' });
      expect(api?.routes.map((route) => route.routeKey)).toEqual([
        '$connect',
        '$default',
        '$disconnect',
        'publish',
        'subscribe',
      ]);
      expect(api?.routes[0]?.authorizer).toMatchObject({
        name: 'jwt-query-token',
        identitySources: ['route.request.querystring.token'],
      });
      for (const logicalId of ['OrdersWebSocketApiStage', 'OrdersWebSocketApiConnectAuthorizer']) {
        expect(local.properties(logicalId)).toEqual(deployed.properties(logicalId));
      }
    });
  },
);
