import { Buffer } from "node:buffer";
import { ERROR_CODES } from "@lawful/core";
import { ExportError } from "../errors.js";
import type { ExportRow, RowSource } from "../model.js";

const consumed = new WeakSet<object>();

export type OpenedRows = { sync: true; rows: Iterable<ExportRow> } | { sync: false; rows: AsyncIterable<ExportRow> };

/**
 * Open a row source for one pass. Functions are called; arrays and other re-iterable
 * iterables can be read many times; a one-shot iterator (whose iterator is itself, e.g. a
 * generator) can be read once — a second read fails with `UNSUPPORTED` instead of silently
 * writing an empty table.
 */
export function openRows(source: RowSource, entity: string): OpenedRows {
  const it = typeof source === "function" ? source() : source;
  if (typeof it !== "object" || it === null) {
    throw new ExportError(ERROR_CODES.VALIDATION_FAILED, `The rows of entity ${entity} are not iterable.`, {
      issues: [{ path: ["entities", entity, "rows"], message: "expected an iterable", code: "invalid_type" }],
    });
  }
  const selfIterating =
    (Symbol.asyncIterator in it && typeof it[Symbol.asyncIterator] === "function" && (it as { [Symbol.asyncIterator](): unknown })[Symbol.asyncIterator]() === it) ||
    (Symbol.iterator in it && !Array.isArray(it) && (it as { [Symbol.iterator](): unknown })[Symbol.iterator]() === it);
  if (selfIterating) {
    if (consumed.has(it)) {
      throw new ExportError(
        ERROR_CODES.UNSUPPORTED,
        `The rows of entity ${entity} were already read: a generator or iterator can be written once. Pass an array or a function returning a fresh iterable to write several formats.`,
        { issues: [{ path: ["entities", entity, "rows"], message: "one-shot iterable read twice", code: "already_consumed" }] },
      );
    }
    consumed.add(it);
  }
  if (Symbol.asyncIterator in it) return { sync: false, rows: it };
  return { sync: true, rows: it };
}

/** Default size (UTF-16 code units) at which writers turn accumulated text into a chunk. */
export const CHUNK_CHARS = 64 * 1024;

export function utf8(text: string): Uint8Array {
  return Buffer.from(text, "utf8");
}

/**
 * Encodes text into preallocated byte chunks as it arrives, so the strings of each row die young
 * (no long rope of row strings survives garbage collections until a flush) and memory stays flat.
 */
export class Chunker {
  private buf: Buffer;
  private pos = 0;
  constructor(private readonly size: number) {
    this.buf = Buffer.allocUnsafe(size);
  }

  /** Append text; returns a finished chunk when the buffer had to be emptied first. */
  push(text: string): Uint8Array | undefined {
    const worst = text.length * 3;
    let out: Uint8Array | undefined;
    if (this.pos + worst > this.size && this.pos > 0) out = this.take();
    if (worst > this.size) {
      const big = Buffer.from(text, "utf8");
      return out ? Buffer.concat([out, big]) : big;
    }
    this.pos += this.buf.write(text, this.pos, "utf8");
    return out;
  }

  /** The bytes written so far (possibly empty), and a fresh buffer for what follows. */
  take(): Uint8Array {
    const out = this.buf.subarray(0, this.pos);
    this.buf = Buffer.allocUnsafe(this.size);
    this.pos = 0;
    return out;
  }

  get length(): number {
    return this.pos;
  }
}

export function chunkBytes(chunkSize: number | undefined): number {
  return Math.max(1024, chunkSize ?? CHUNK_CHARS);
}
