import { call } from '../../src/testing/index.ts';
import { fixtureRuntime } from '../fixture-runtime.ts';

/**
 * CloudFormation's own AWS::Lambda::Function, black-box, behind a raw REST API: Code.ZipFile in Node.js and
 * Python, a Code that is a local folder or .zip, and one in S3 (named as not run).
 */
const runtime = fixtureRuntime('raw-functions');
let live: string;

beforeAll(() => {
  live = `${runtime.info.restUrl}/live`;
});

const get = async (path: string) => {
  const answer = await call(`${live}${path}`);
  return { status: answer.status, body: answer.json() };
};

it('runs Code.ZipFile as index.js (Node.js) and index.py (Python)', async () => {
  expect(await get('/inline')).toEqual({ status: 200, body: { from: 'inline node' } });
  expect(await get('/python')).toEqual({ status: 200, body: { from: 'inline python' } });
});

it('runs a Code that is a local folder, with its Environment and FunctionName', async () => {
  expect(await get('/folder')).toEqual({
    status: 200,
    body: { from: 'folder', greeting: 'hello from the folder', path: '/folder' },
  });
  expect(runtime.output()).not.toMatch(/FolderFunction.*not supported/);
});

it('runs a Code that is a local .zip', async () => {
  expect(await get('/zip')).toEqual({ status: 200, body: { from: 'zip' } });
});

it('names a Code in S3 at start-up as not run, and answers 502 for it', async () => {
  expect(runtime.output()).toMatch(/S3Function: not run: the code is in S3 \(s3:\/\/some-bucket\/code\.zip\)/);
  expect((await get('/s3')).status).toBe(502);
});
