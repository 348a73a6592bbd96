import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { hostileJson, hostileName, pick, type Random } from './hostile-input.ts';

/** One WebSocket frame as a client sends it (masked unless told otherwise), flags and opcode as given. */
export const frame = (
  opcode: number,
  payload: Buffer,
  options: { mask?: boolean; fin?: boolean; rsv?: number; claimedLength?: number } = {},
): Buffer => {
  const mask = options.mask ?? true;
  const length = options.claimedLength ?? payload.length;
  const first = ((options.fin ?? true) ? 0x80 : 0) | ((options.rsv ?? 0) << 4) | opcode;
  let header: Buffer;
  if (length < 126) header = Buffer.from([first, (mask ? 0x80 : 0) | length]);
  else if (length < 65_536) {
    header = Buffer.alloc(4);
    header.writeUInt8(first, 0);
    header.writeUInt8((mask ? 0x80 : 0) | 126, 1);
    header.writeUInt16BE(length, 2);
  } else {
    header = Buffer.alloc(10);
    header.writeUInt8(first, 0);
    header.writeUInt8((mask ? 0x80 : 0) | 127, 1);
    header.writeBigUInt64BE(BigInt(length), 2);
  }
  if (!mask) return Buffer.concat([header, payload]);
  const key = randomBytes(4);
  const masked = Buffer.from(payload.map((byte, index) => byte ^ (key[index % 4] as number)));
  return Buffer.concat([header, key, masked]);
};

/** Frames a client should not send, or sends in odd ways: bad opcodes, unmasked, reserved bits, lies about length. */
export const hostileFrames = (random: Random): Buffer[] => {
  const frames: Buffer[] = [];
  const count = 1 + Math.floor(random() * 6);
  for (let index = 0; index < count; index += 1) {
    const json = Buffer.from(JSON.stringify({ action: hostileName(random), data: hostileJson(random) }));
    frames.push(
      pick(random, [
        () => frame(0x1, json),
        () => frame(0x1, Buffer.from([0xc3, 0x28, 0xff])),
        () => frame(0x2, randomBytes(Math.floor(random() * 2048))),
        () => frame(0x9, Buffer.from('ping')),
        () => frame(pick(random, [0x3, 0x4, 0x7, 0xb, 0xf]), json),
        () => frame(0x1, json, { mask: false }),
        () => frame(0x1, json, { rsv: 1 + Math.floor(random() * 7) }),
        () => frame(0x1, json, { fin: false }),
        () => frame(0x0, json),
        () => frame(0x1, Buffer.alloc(140 * 1024, 'a')),
        () => frame(0x1, json, { claimedLength: 2 ** 40 }),
        () => frame(0x8, Buffer.from([0x03, 0xe8, 0xff])),
      ])(),
    );
  }
  frames.push(frame(0x1, Buffer.from(JSON.stringify({ action: 'probe' }))));
  return frames;
};

export interface SocketOutcome {
  status?: number;
  /** Bytes the server sent after the handshake's head (answers and close frames). */
  received: number;
  closed: boolean;
  hung: boolean;
}

/**
 * A WebSocket session on a raw socket: the handshake as given, then (on 101) the frames; done when the server closes,
 * or answers after the last frame. A server that does neither within the time allowed is reported as hung.
 */
export const rawSocketSession = (
  port: number,
  handshake: Buffer,
  frames: Buffer[],
  timeoutMs = 10_000,
): Promise<SocketOutcome> =>
  new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let buffered = Buffer.alloc(0);
    let status: number | undefined;
    let received = 0;
    let sentAll = false;
    let settled = false;
    const finish = (outcome: { closed: boolean; hung: boolean }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ ...(status === undefined ? {} : { status }), received, ...outcome });
    };
    const timer = setTimeout(() => finish({ closed: false, hung: true }), timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      if (status === undefined) {
        buffered = Buffer.concat([buffered, chunk]);
        const end = buffered.indexOf('\r\n\r\n');
        if (end < 0) return;
        status = Number(/^HTTP\/1\.1 (\d{3})/.exec(buffered.toString('latin1'))?.[1] ?? 0);
        if (status !== 101) return;
        const rest = buffered.subarray(end + 4);
        received += rest.length;
        let pending = frames.length;
        if (pending === 0) finish({ closed: false, hung: false });
        for (const bytes of frames) {
          socket.write(bytes, () => {
            pending -= 1;
            if (pending === 0) sentAll = true;
          });
        }
        return;
      }
      received += chunk.length;
      if (sentAll) finish({ closed: false, hung: false });
    });
    socket.on('close', () => finish({ closed: true, hung: false }));
    socket.on('error', () => finish({ closed: true, hung: false }));
    socket.on('connect', () => socket.write(handshake));
  });
