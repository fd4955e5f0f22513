import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createDeflateRaw, crc32 } from "node:zlib";
import { ERROR_CODES } from "@lawful/core";
import { ExportError } from "./errors.js";

/**
 * One entry to put in a ZIP archive.
 *
 * @example
 * ```ts
 * import type { ZipEntryInput } from "@lawful/export";
 * const entry: ZipEntryInput = { path: "hello.txt", content: new TextEncoder().encode("hello") };
 * ```
 */
export interface ZipEntryInput {
  /** Path inside the archive: `/`-separated, relative, no `..`, no backslashes. */
  readonly path: string;
  /** The bytes, as a whole or as a stream. */
  readonly content: Uint8Array | AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
  /** Compress with DEFLATE (method 8) or store (method 0). @default "deflate" */
  readonly method?: "deflate" | "store" | undefined;
}

/**
 * What the ZIP writer reports for each entry once its bytes are written.
 *
 * @example
 * ```ts
 * import type { ZipEntryWritten } from "@lawful/export";
 * const log = (e: ZipEntryWritten) => console.warn(e.path, e.size, e.sha256);
 * ```
 */
export interface ZipEntryWritten {
  readonly path: string;
  /** Uncompressed size in bytes. */
  readonly size: number;
  readonly compressedSize: number;
  /** CRC-32 of the uncompressed bytes. */
  readonly crc32: number;
  /** SHA-256 of the uncompressed bytes, lower-case hex. */
  readonly sha256: string;
}

/**
 * Options of {@link writeZip}.
 *
 * @example
 * ```ts
 * import type { ZipOptions } from "@lawful/export";
 * const opts: ZipOptions = { modifiedAt: new Date("2026-01-01T00:00:00Z"), level: 6 };
 * ```
 */
export interface ZipOptions {
  /** Modification time written for every entry (DOS time, UTC fields, 2-second resolution). @default 1980-01-01T00:00:00Z */
  modifiedAt?: Date | undefined;
  /** DEFLATE level 0–9. @default 6 */
  level?: number | undefined;
  /** Called after each entry's bytes (and data descriptor) are produced. */
  onEntryWritten?: ((entry: ZipEntryWritten) => void) | undefined;
}

const U32 = 0xffffffff;
/** Largest uncompressed or compressed size of one entry (4 GiB − 1): entries are written with 32-bit data descriptors. */
const MAX_ENTRY = U32 - 1;

interface CentralRecord {
  name: Buffer;
  method: number;
  crc: number;
  size: number;
  compressedSize: number;
  offset: number;
}

function dosDateTime(d: Date): { time: number; date: number } {
  const year = d.getUTCFullYear();
  if (year < 1980) return { time: 0, date: (1 << 5) | 1 };
  return {
    time: (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | Math.floor(d.getUTCSeconds() / 2),
    date: ((Math.min(year, 2107) - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate(),
  };
}

/** Check an entry path: relative, `/`-separated, no `.`/`..` segments, no backslash, no control characters. */
function assertZipPath(path: string): Buffer {
  // eslint-disable-next-line no-control-regex
  const bad = path.length === 0 || path.startsWith("/") || path.includes("\\") || /[\u0000-\u001f]/.test(path) || path.split("/").some((s) => s === "" || s === "." || s === "..");
  const name = Buffer.from(path, "utf8");
  if (bad || name.length > 0xffff) {
    throw new ExportError(ERROR_CODES.VALIDATION_FAILED, "Invalid ZIP entry path: use a relative '/'-separated path without '.', '..' or backslashes.", {
      issues: [{ path: ["path"], message: "invalid ZIP entry path", code: "invalid_path" }],
    });
  }
  return name;
}

function toChunks(content: ZipEntryInput["content"]): AsyncIterable<Uint8Array> | Iterable<Uint8Array> {
  return content instanceof Uint8Array ? [content] : content;
}

/**
 * Stream a ZIP archive (APPNOTE 6.3) of the given entries with bounded memory: each entry is
 * written as a local header, its data (DEFLATE via `node:zlib`, or stored) and a data descriptor
 * with CRC-32 and sizes; then the central directory. ZIP64 end records and offsets are used when
 * the archive passes 4 GiB or 65,535 entries. Limits: each entry must stay below 4 GiB
 * uncompressed and compressed (else `UNSUPPORTED`), paths are UTF-8 (flag bit 11), no encryption.
 * Entries are read one after the other, so an entry's content may depend on earlier entries
 * (e.g. a manifest built from `onEntryWritten`).
 *
 * @throws ExportError `VALIDATION_FAILED` for a bad or duplicate path, `UNSUPPORTED` for an entry of 4 GiB or more.
 * @example
 * ```ts
 * import { collectBytes, writeZip } from "@lawful/export";
 * const zip = await collectBytes(writeZip([{ path: "hello.txt", content: new TextEncoder().encode("hello") }]));
 * ```
 */
export async function* writeZip(
  entries: AsyncIterable<ZipEntryInput> | Iterable<ZipEntryInput>,
  options: ZipOptions = {},
): AsyncGenerator<Uint8Array, void, undefined> {
  const { time, date } = dosDateTime(options.modifiedAt ?? new Date(Date.UTC(1980, 0, 1)));
  const level = options.level ?? 6;
  if (!Number.isInteger(level) || level < 0 || level > 9) {
    throw new ExportError(ERROR_CODES.VALIDATION_FAILED, "Invalid ZIP options: level must be an integer from 0 to 9.", {
      issues: [{ path: ["level"], message: "must be an integer from 0 to 9", code: "invalid_value" }],
    });
  }
  const central: CentralRecord[] = [];
  const seen = new Set<string>();
  let offset = 0;
  for await (const entry of entries) {
    const name = assertZipPath(entry.path);
    if (seen.has(entry.path)) {
      throw new ExportError(ERROR_CODES.VALIDATION_FAILED, "Duplicate ZIP entry path.", {
        issues: [{ path: ["path"], message: "duplicate ZIP entry path", code: "duplicate" }],
      });
    }
    seen.add(entry.path);
    const method = entry.method === "store" ? 0 : 8;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0808, 6); // bit 3: data descriptor, bit 11: UTF-8 names
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(time, 10);
    local.writeUInt16LE(date, 12);
    local.writeUInt16LE(name.length, 26);
    const headerOffset = offset;
    yield Buffer.concat([local, name]);
    offset += local.length + name.length;

    const hash = createHash("sha256");
    let crc = 0;
    let size = 0;
    let compressedSize = 0;
    const tooLarge = (): ExportError =>
      new ExportError(ERROR_CODES.UNSUPPORTED, "A ZIP entry reached 4 GiB; this writer limits each entry to 4 GiB − 1 bytes. Split the entity into several files.", {
        issues: [{ path: ["path"], message: "entry too large", code: "too_large" }],
      });
    const tap = async function* (): AsyncGenerator<Uint8Array> {
      for await (const chunk of toChunks(entry.content)) {
        const bytes: Uint8Array = chunk;
        hash.update(bytes);
        crc = crc32(bytes, crc);
        size += bytes.length;
        if (size > MAX_ENTRY) throw tooLarge();
        yield bytes;
      }
    };
    if (method === 0) {
      for await (const bytes of tap()) {
        compressedSize += bytes.length;
        yield bytes;
      }
    } else {
      const deflate = createDeflateRaw({ level });
      const done = pipeline(Readable.from(tap(), { objectMode: false }), deflate);
      done.catch(() => undefined);
      for await (const out of deflate as AsyncIterable<Buffer>) {
        compressedSize += out.length;
        if (compressedSize > MAX_ENTRY) throw tooLarge();
        yield out;
      }
      await done;
    }
    const descriptor = Buffer.alloc(16);
    descriptor.writeUInt32LE(0x08074b50, 0);
    descriptor.writeUInt32LE(crc >>> 0, 4);
    descriptor.writeUInt32LE(compressedSize, 8);
    descriptor.writeUInt32LE(size, 12);
    yield descriptor;
    offset += compressedSize + descriptor.length;
    central.push({ name, method, crc: crc >>> 0, size, compressedSize, offset: headerOffset });
    options.onEntryWritten?.({ path: entry.path, size, compressedSize, crc32: crc >>> 0, sha256: hash.digest("hex") });
  }

  const cdOffset = offset;
  let cdSize = 0;
  const parts: Buffer[] = [];
  for (const r of central) {
    const zip64 = r.offset >= U32;
    const extra = zip64 ? Buffer.alloc(12) : Buffer.alloc(0);
    if (zip64) {
      extra.writeUInt16LE(0x0001, 0);
      extra.writeUInt16LE(8, 2);
      extra.writeBigUInt64LE(BigInt(r.offset), 4);
    }
    const h = Buffer.alloc(46);
    h.writeUInt32LE(0x02014b50, 0);
    h.writeUInt16LE((3 << 8) | (zip64 ? 45 : 20), 4); // made by: Unix
    h.writeUInt16LE(zip64 ? 45 : 20, 6);
    h.writeUInt16LE(0x0808, 8);
    h.writeUInt16LE(r.method, 10);
    h.writeUInt16LE(time, 12);
    h.writeUInt16LE(date, 14);
    h.writeUInt32LE(r.crc, 16);
    h.writeUInt32LE(r.compressedSize, 20);
    h.writeUInt32LE(r.size, 24);
    h.writeUInt16LE(r.name.length, 28);
    h.writeUInt16LE(extra.length, 30);
    h.writeUInt32LE((0o100644 << 16) >>> 0, 38);
    h.writeUInt32LE(zip64 ? U32 : r.offset, 42);
    parts.push(h, r.name, extra);
    cdSize += h.length + r.name.length + extra.length;
    if (parts.length >= 3000) {
      yield Buffer.concat(parts);
      parts.length = 0;
    }
  }
  const needZip64 = central.length > 0xfffe || cdOffset >= U32 || cdSize >= U32 || cdOffset + cdSize >= U32;
  if (needZip64) {
    const rec = Buffer.alloc(56);
    rec.writeUInt32LE(0x06064b50, 0);
    rec.writeBigUInt64LE(44n, 4);
    rec.writeUInt16LE((3 << 8) | 45, 12);
    rec.writeUInt16LE(45, 14);
    rec.writeBigUInt64LE(BigInt(central.length), 24);
    rec.writeBigUInt64LE(BigInt(central.length), 32);
    rec.writeBigUInt64LE(BigInt(cdSize), 40);
    rec.writeBigUInt64LE(BigInt(cdOffset), 48);
    const loc = Buffer.alloc(20);
    loc.writeUInt32LE(0x07064b50, 0);
    loc.writeBigUInt64LE(BigInt(cdOffset + cdSize), 8);
    loc.writeUInt32LE(1, 16);
    parts.push(rec, loc);
  }
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(needZip64 ? 0xffff : central.length, 8);
  end.writeUInt16LE(needZip64 ? 0xffff : central.length, 10);
  end.writeUInt32LE(needZip64 ? U32 : cdSize, 12);
  end.writeUInt32LE(needZip64 ? U32 : cdOffset, 16);
  parts.push(end);
  yield Buffer.concat(parts);
}
