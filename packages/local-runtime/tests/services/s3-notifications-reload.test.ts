import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { eventually } from '../../src/testing/eventually.ts';
import { editFile, watchedFixtureCopy } from '../fixture-runtime.ts';

/**
 * A --watch reload applies a changed SAM `S3` event: the function's filter as the template now says, at once, while the
 * buckets (and their objects) stay as they were.
 */
const { runtime, folder } = watchedFixtureCopy('s3-notifications');
let s3: S3Client;

beforeAll(() => {
  s3 = new S3Client(runtime.clientConfig('s3'));
});
afterAll(() => {
  s3?.destroy();
});

const written = async (key: string): Promise<boolean> =>
  eventually(async () => {
    try {
      await s3.send(new GetObjectCommand({ Bucket: 'local-thumbnails', Key: key }));
      return true;
    } catch {
      return false;
    }
  }, 8000);

it('runs the reloaded filter of a SAM S3 event, and names the bucket change it does not apply', async () => {
  editFile(join(folder, 'template.yaml'), (text) =>
    text
      .replace('Value: .jpg', 'Value: .png')
      .replace(
        '      BucketName: local-thumbnails\n',
        '      BucketName: local-thumbnails\n      VersioningConfiguration: { Status: Enabled }\n',
      ),
  );
  expect(
    await runtime.waitForOutput(
      /S3: bucket notifications reloaded \(\d+ destinations\); s3: ThumbnailsBucket \(AWS::S3::Bucket\) changed: not applied/,
      60_000,
    ),
  ).toBe(true);
  await s3.send(new PutObjectCommand({ Bucket: 'local-photos', Key: 'uploads/late.jpg', Body: 'jpg' }));
  expect(
    await runtime.waitForOutput(
      /\[s3\] ObjectCreated:Put of local-photos\/uploads\/late\.jpg: no notification configuration matched/,
    ),
  ).toBe(true);
  await s3.send(new PutObjectCommand({ Bucket: 'local-photos', Key: 'uploads/late.png', Body: 'png' }));
  expect(await written('ObjectCreated:Put/uploads/late.png.json')).toBe(true);
}, 90_000);
