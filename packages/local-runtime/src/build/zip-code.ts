import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { inflateRawSync } from 'node:zlib';

/**
 * A `CodeUri` that is a `.zip` (what `sam package` uploads, what Lambda unpacks into /var/task): extracted once into
 * the build folder, under the archive's content hash, so an unchanged archive is not unpacked again and a changed
 * one gets a folder of its own. Stored and deflated entries (what every zip tool writes) are read; anything else,
 * and an entry that would land outside the folder, is refused with the reason.
 */
export class ZipCodeError extends Error {
  override readonly name = 'ZipCodeError';
}

interface Entry {
  name: string;
  method: number;
  compressedSize: number;
  localHeader: number;
}

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_ENTRY = 0x02014b50;
const LOCAL_ENTRY = 0x04034b50;

const entriesOf = (zip: Buffer): Entry[] => {
  // The end record sits in the last 22 bytes plus a comment of at most 64 KiB.
  let end = -1;
  for (let at = zip.length - 22; at >= Math.max(0, zip.length - 22 - 0xffff); at--) {
    if (zip.readUInt32LE(at) === END_OF_CENTRAL_DIRECTORY) {
      end = at;
      break;
    }
  }
  if (end < 0) throw new ZipCodeError('not a zip archive (no end of central directory)');
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const entries: Entry[] = [];
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(at) !== CENTRAL_ENTRY) throw new ZipCodeError('a damaged central directory');
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    entries.push({
      method: zip.readUInt16LE(at + 10),
      compressedSize: zip.readUInt32LE(at + 20),
      localHeader: zip.readUInt32LE(at + 42),
      name: zip.toString('utf8', at + 46, at + 46 + nameLength),
    });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
};

const contentOf = (zip: Buffer, entry: Entry): Buffer => {
  const at = entry.localHeader;
  if (zip.readUInt32LE(at) !== LOCAL_ENTRY) throw new ZipCodeError(`${entry.name}: a damaged entry`);
  const start = at + 30 + zip.readUInt16LE(at + 26) + zip.readUInt16LE(at + 28);
  const data = zip.subarray(start, start + entry.compressedSize);
  if (entry.method === 0) return data;
  if (entry.method === 8) return inflateRawSync(data);
  throw new ZipCodeError(`${entry.name}: compression method ${entry.method} is not supported (stored or deflate)`);
};

/** Extracts `zipFile` under `<buildDir>/zip/<hash>` (once) and returns that folder. */
export const extractZipCode = (buildDir: string, zipFile: string): string => {
  const zip = readFileSync(zipFile);
  const hash = createHash('sha256').update(zip).digest('hex').slice(0, 16);
  const target = resolve(buildDir, 'zip', hash);
  if (existsSync(target)) return target;
  const staging = `${target}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  for (const entry of entriesOf(zip)) {
    const path = resolve(staging, entry.name);
    if (!path.startsWith(staging + sep)) throw new ZipCodeError(`${entry.name}: a path outside the archive's folder`);
    if (entry.name.endsWith('/')) {
      mkdirSync(path, { recursive: true });
      continue;
    }
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, contentOf(zip, entry));
  }
  mkdirSync(staging, { recursive: true });
  mkdirSync(join(buildDir, 'zip'), { recursive: true });
  renameSync(staging, target);
  return target;
};
