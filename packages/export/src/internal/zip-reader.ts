import { Buffer } from "node:buffer";
import { open, type FileHandle } from "node:fs/promises";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createInflateRaw } from "node:zlib";
import { ERROR_CODES } from "@lawful/core";
import { ExportError } from "../errors.js";

export interface RandomAccess {
  readonly size: number;
  read(offset: number, length: number): Promise<Buffer>;
  close(): Promise<void>;
}

export function bytesSource(bytes: Uint8Array): RandomAccess {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    size: b.length,
    read: (offset, length) => Promise.resolve(b.subarray(offset, Math.min(b.length, offset + length))),
    close: () => Promise.resolve(),
  };
}

export async function fileSource(path: string): Promise<RandomAccess> {
  const fh: FileHandle = await open(path, "r");
  const { size } = await fh.stat();
  return {
    size,
    async read(offset, length) {
      const len = Math.max(0, Math.min(length, size - offset));
      const buf = Buffer.alloc(len);
      let done = 0;
      while (done < len) {
        const { bytesRead } = await fh.read(buf, done, len - done, offset + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
      return buf.subarray(0, done);
    },
    close: () => fh.close(),
  };
}

export interface ZipEntryRecord {
  readonly path: string;
  readonly method: number;
  readonly crc32: number;
  readonly size: number;
  readonly compressedSize: number;
  readonly localHeaderOffset: number;
}

function corrupt(message: string): ExportError {
  return new ExportError(ERROR_CODES.INTEGRITY_FAILED, `The ZIP archive cannot be read: ${message}.`, {
    issues: [{ path: [], message, code: "corrupt_zip" }],
  });
}

/** Read the central directory (with ZIP64 support). */
export async function readCentralDirectory(src: RandomAccess): Promise<ZipEntryRecord[]> {
  const tailLength = Math.min(src.size, 22 + 0xffff + 20);
  const tail = await src.read(src.size - tailLength, tailLength);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw corrupt("no end of central directory record");
  let count = tail.readUInt16LE(eocd + 10);
  let cdSize = tail.readUInt32LE(eocd + 12);
  let cdOffset = tail.readUInt32LE(eocd + 16);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const loc = eocd - 20;
    if (loc < 0 || tail.readUInt32LE(loc) !== 0x07064b50) throw corrupt("ZIP64 locator missing");
    const recOffset = Number(tail.readBigUInt64LE(loc + 8));
    const rec = await src.read(recOffset, 56);
    if (rec.length < 56 || rec.readUInt32LE(0) !== 0x06064b50) throw corrupt("ZIP64 end record missing");
    count = Number(rec.readBigUInt64LE(32));
    cdSize = Number(rec.readBigUInt64LE(40));
    cdOffset = Number(rec.readBigUInt64LE(48));
  }
  if (cdOffset + cdSize > src.size) throw corrupt("central directory outside the file");
  const cd = await src.read(cdOffset, cdSize);
  const entries: ZipEntryRecord[] = [];
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > cd.length || cd.readUInt32LE(p) !== 0x02014b50) throw corrupt("bad central directory header");
    const method = cd.readUInt16LE(p + 10);
    const crc = cd.readUInt32LE(p + 16);
    let compressedSize = cd.readUInt32LE(p + 20);
    let size = cd.readUInt32LE(p + 24);
    const nameLen = cd.readUInt16LE(p + 28);
    const extraLen = cd.readUInt16LE(p + 30);
    const commentLen = cd.readUInt16LE(p + 32);
    let offset = cd.readUInt32LE(p + 42);
    const path = cd.subarray(p + 46, p + 46 + nameLen).toString("utf8");
    const extra = cd.subarray(p + 46 + nameLen, p + 46 + nameLen + extraLen);
    for (let q = 0; q + 4 <= extra.length; ) {
      const id = extra.readUInt16LE(q);
      const len = extra.readUInt16LE(q + 2);
      if (id === 0x0001) {
        let r = q + 4;
        if (size === 0xffffffff) {
          size = Number(extra.readBigUInt64LE(r));
          r += 8;
        }
        if (compressedSize === 0xffffffff) {
          compressedSize = Number(extra.readBigUInt64LE(r));
          r += 8;
        }
        if (offset === 0xffffffff) offset = Number(extra.readBigUInt64LE(r));
      }
      q += 4 + len;
    }
    entries.push({ path, method, crc32: crc, size, compressedSize, localHeaderOffset: offset });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

/** Stream the uncompressed bytes of one entry. */
export async function* readEntry(src: RandomAccess, entry: ZipEntryRecord): AsyncGenerator<Buffer> {
  const lh = await src.read(entry.localHeaderOffset, 30);
  if (lh.length < 30 || lh.readUInt32LE(0) !== 0x04034b50) throw corrupt("bad local file header");
  const start = entry.localHeaderOffset + 30 + lh.readUInt16LE(26) + lh.readUInt16LE(28);
  if (start + entry.compressedSize > src.size) throw corrupt("entry data outside the file");
  const slices = async function* (): AsyncGenerator<Buffer> {
    const step = 1 << 20;
    for (let o = 0; o < entry.compressedSize; o += step) yield await src.read(start + o, Math.min(step, entry.compressedSize - o));
  };
  if (entry.method === 0) {
    yield* slices();
  } else if (entry.method === 8) {
    const inflate = createInflateRaw();
    pipeline(Readable.from(slices(), { objectMode: false }), inflate).catch(() => undefined);
    try {
      for await (const chunk of inflate as AsyncIterable<Buffer>) yield chunk;
    } catch (e) {
      throw new ExportError(ERROR_CODES.INTEGRITY_FAILED, "The ZIP archive cannot be read: an entry does not inflate.", {
        issues: [{ path: [entry.path], message: "corrupt DEFLATE data", code: "corrupt_zip" }],
        cause: e,
      });
    }
  } else {
    throw corrupt(`unsupported compression method ${entry.method}`);
  }
}
