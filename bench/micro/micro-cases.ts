/**
 * The hot paths the micro-benchmarks guard, each as a function benchmark.js calls many times over,
 * plus the calibration case every figure is divided by. A case sets up its inputs once (outside
 * the timed function) and feeds its result to a sink so the JIT cannot drop the work.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseFastjson } from '../../src/protocol/fastjson-parser';
import { createRequest, type RemotingCommand } from '../../src/protocol/remoting-command';
import { RequestCode } from '../../src/protocol/request-code';
import { decodeCommand, encodeCommand, jsonHeaderText } from '../../src/remoting/command-codec';
import { FrameDecoder } from '../../src/remoting/frame-decoder';
import { crc32 } from '../../src/message/crc32';
import type { MessageToStore } from '../../src/message/message-types';
import { decodeProperties, encodeProperties } from '../../src/message/properties-codec';
import { decodeRecord } from '../../src/message/record-decoder';
import { RecordEncoder, encodeRecord } from '../../src/message/record-encoder';
import { NativeMessageStore } from '../../src/store/native-message-store';

export interface MicroCase {
  readonly name: string;
  /** What one operation is, for the printed table and docs. */
  readonly what: string;
  /** Builds the inputs and returns the timed operation (async: resolves when the operation completed). */
  setup(): Promise<MicroOperation>;
}

export interface MicroOperation {
  readonly run: (() => void) | (() => Promise<unknown>);
  readonly isAsync: boolean;
  teardown(): Promise<void>;
}

/** Where results go so no case is optimised into nothing. */
const sink: { value: unknown } = { value: undefined };

function syncOperation(run: () => unknown): MicroOperation {
  return {
    run: () => {
      sink.value = run();
    },
    isAsync: false,
    teardown: async () => {},
  };
}

const BODY_1K = Buffer.alloc(1024, 0x61);
const PROPERTIES: Record<string, string> = {
  TAGS: 'TagA',
  KEYS: 'order-4711',
  UNIQ_KEY: '7F0000010B5C18B4AAC27A7B9E4F0000',
  WAIT: 'true',
  CLUSTER: 'DefaultCluster',
};
const PROPERTIES_TEXT = encodeProperties(PROPERTIES);

/** A SEND_MESSAGE_V2 request as a Java producer sends it: single-letter header fields, 1 KiB body. */
function sendRequest(): RemotingCommand {
  const command = createRequest(RequestCode.SEND_MESSAGE_V2, {
    a: 'please_rename_unique_group_name', b: 'BenchTopic', c: 'TBW102', d: '4', e: '3', f: '0',
    g: '1763712000000', h: '0', i: PROPERTIES_TEXT, j: '0', k: 'false', l: '16', m: 'false',
  }, BODY_1K);
  command.opaque = 4711;
  return command;
}

function message(body: Buffer): MessageToStore {
  return { topic: 'BenchTopic', queueId: 3, body, properties: PROPERTIES };
}

const STORE_HOST = { address: '127.0.0.1', port: 10911 };

/** A fixed pure-JS loop (integer arithmetic, typed-array and property access): the machine-speed yardstick. */
export const CALIBRATION: MicroCase = {
  name: 'calibration',
  what: 'xorshift32 over a 1,024-entry Int32Array, summed into an object field',
  async setup() {
    const table = new Int32Array(1024);
    const acc = { sum: 0 };
    return syncOperation(() => {
      let x = 2463534242;
      for (let i = 0; i < table.length; i++) {
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        table[i] = x;
        acc.sum = (acc.sum + (x & 0xff)) | 0;
      }
      return acc.sum;
    });
  },
};

export const MICRO_CASES: readonly MicroCase[] = [
  {
    name: 'frame-encode',
    what: 'encodeCommand: SEND_MESSAGE_V2 request (13 header fields, 1 KiB body) into one frame',
    async setup() {
      const command = sendRequest();
      return syncOperation(() => encodeCommand(command));
    },
  },
  {
    name: 'frame-decode',
    what: 'FrameDecoder.push + decodeCommand of that frame (one chunk)',
    async setup() {
      const frame = encodeCommand(sendRequest());
      let last: RemotingCommand | undefined;
      const decoder = new FrameDecoder({ onFrame: (f) => { last = decodeCommand(f); } });
      return syncOperation(() => {
        decoder.push(frame);
        return last;
      });
    },
  },
  {
    name: 'header-json-encode',
    what: 'jsonHeaderText: the fastjson-ordered JSON header of the send request',
    async setup() {
      const command = sendRequest();
      return syncOperation(() => jsonHeaderText(command));
    },
  },
  {
    name: 'header-json-parse',
    what: 'parseFastjson of that header text',
    async setup() {
      const text = jsonHeaderText(sendRequest());
      return syncOperation(() => parseFastjson(text));
    },
  },
  {
    name: 'record-encode',
    what: 'RecordEncoder.encode: 1 KiB message with 5 properties into a pooled buffer',
    async setup() {
      const encoder = new RecordEncoder(STORE_HOST);
      const msg = message(BODY_1K);
      const target = Buffer.alloc(encoder.maxEncodedLength(msg, PROPERTIES_TEXT));
      return syncOperation(() => encoder.encode(target, 0, msg, PROPERTIES_TEXT, 1763712000000));
    },
  },
  {
    name: 'record-decode',
    what: 'decodeRecord of that stored record (properties decoded)',
    async setup() {
      const target = Buffer.alloc(4096);
      const length = encodeRecord(target, 0, message(BODY_1K), STORE_HOST, {
        bodyCRC: crc32(BODY_1K), queueOffset: 42, physicalOffset: 1 << 20, storeTimestamp: 1763712000001,
      });
      const record = target.subarray(0, length);
      return syncOperation(() => decodeRecord(record));
    },
  },
  {
    name: 'properties-encode',
    what: 'encodeProperties of 5 properties',
    async setup() {
      return syncOperation(() => encodeProperties(PROPERTIES));
    },
  },
  {
    name: 'properties-decode',
    what: 'decodeProperties of that text',
    async setup() {
      return syncOperation(() => decodeProperties(PROPERTIES_TEXT));
    },
  },
  {
    name: 'crc32-1k',
    what: 'crc32 of a 1 KiB body',
    async setup() {
      return syncOperation(() => crc32(BODY_1K));
    },
  },
  {
    name: 'store-put-32x1k',
    what: 'NativeMessageStore.putMessages of 32 x 1 KiB (one N-API append crossing, ASYNC_FLUSH)',
    async setup() {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cometmq-micro-store-'));
      const store = new NativeMessageStore({ storePathRootDir: dir, flushDiskType: 'ASYNC_FLUSH' });
      await store.start();
      const batch = Array.from({ length: 32 }, () => message(BODY_1K));
      // Warm the JIT and fault in the first pages of the segment before anything is timed.
      for (let i = 0; i < 500; i++) await store.putMessages(batch);
      return {
        run: async () => {
          const results = await store.putMessages(batch);
          if (results[0]?.status !== 'PUT_OK') throw new Error(`put failed: ${results[0]?.status}`);
        },
        isAsync: true,
        teardown: async () => {
          await store.shutdown();
          fs.rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
];

export function microCase(name: string): MicroCase {
  if (name === CALIBRATION.name) return CALIBRATION;
  const found = MICRO_CASES.find((c) => c.name === name);
  if (found === undefined) throw new Error(`unknown micro-benchmark '${name}' (one of ${MICRO_CASES.map((c) => c.name).join(', ')})`);
  return found;
}
