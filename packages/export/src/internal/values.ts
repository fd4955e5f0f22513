import { Buffer } from "node:buffer";
import { ERROR_CODES, canonicalize, isLawfulError, type LawfulIssue } from "@lawful/core";
import { ExportError } from "../errors.js";
import type { Column, ExportRow } from "../model.js";

/** Marker written before base64 data of binary values in text formats (CSV, HTML, JSON strings). */
export const BASE64_MARKER = "base64:";

export function valueError(path: readonly (string | number)[], message: string, code: string, cause?: unknown): ExportError {
  const issue: LawfulIssue = { path: [...path], message, code };
  return new ExportError(ERROR_CODES.NOT_JSON_SERIALIZABLE, `Value at ${path.join(".")} cannot be exported: ${message}.`, {
    issues: [issue],
    cause,
  });
}

export function hasLoneSurrogate(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) {
      if (c >= 0xdc00) return true;
      const d = s.charCodeAt(i + 1);
      if (!(d >= 0xdc00 && d <= 0xdfff)) return true;
      i++;
    }
  }
  return false;
}

export function assertRow(row: unknown, entity: string, index: number): asserts row is ExportRow {
  if (typeof row !== "object" || row === null || Array.isArray(row)) {
    throw valueError([entity, index], "a row must be a plain object of column name to value", "invalid_row");
  }
}

export function assertKnownKeys(row: ExportRow, names: ReadonlySet<string>, entity: string, index: number): void {
  for (const key in row) {
    if (!names.has(key)) {
      throw new ExportError(
        ERROR_CODES.VALIDATION_FAILED,
        `Row ${index} of entity ${entity} has a field that is not a declared column; declare it (a copy must be complete) or remove it.`,
        { issues: [{ path: [entity, index, key], message: "not a declared column", code: "unknown_column" }] },
      );
    }
  }
}

function isBinary(value: object): value is ArrayBufferView | ArrayBuffer {
  return ArrayBuffer.isView(value) || value instanceof ArrayBuffer;
}

export function toBase64(value: ArrayBufferView | ArrayBuffer): string {
  return value instanceof ArrayBuffer
    ? Buffer.from(value).toString("base64")
    : Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("base64");
}

const TWO = Array.from({ length: 100 }, (_, i) => (i < 10 ? `0${i}` : String(i)));
const THREE = Array.from({ length: 1000 }, (_, i) => (i < 10 ? `00${i}` : i < 100 ? `0${i}` : String(i)));
const DAY_MS = 86_400_000;
const MIN_FAST = Date.UTC(1000, 0, 1);
const MAX_FAST = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
let cachedDay = Number.NaN;
let cachedPrefix = "";

/** `Date#toISOString()` without its overhead for years 1000–9999 (the day prefix is cached, since exports often hold many instants of one day). */
export function isoInstant(t: number): string {
  if (t < MIN_FAST || t > MAX_FAST) return new Date(t).toISOString();
  const day = Math.floor(t / DAY_MS);
  if (day !== cachedDay) {
    cachedDay = day;
    cachedPrefix = new Date(day * DAY_MS).toISOString().slice(0, 11);
  }
  let ms = t - day * DAY_MS;
  const h = Math.floor(ms / 3_600_000);
  ms -= h * 3_600_000;
  const m = Math.floor(ms / 60_000);
  ms -= m * 60_000;
  const sec = Math.floor(ms / 1000);
  ms -= sec * 1000;
  return `${cachedPrefix}${TWO[h]!}:${TWO[m]!}:${TWO[sec]!}.${THREE[ms]!}Z`;
}

function dateText(value: Date, column: Column, path: readonly (string | number)[]): string {
  const t = value.getTime();
  if (Number.isNaN(t)) throw valueError(path, "an invalid Date has no ISO 8601 form", "invalid_date");
  const iso = isoInstant(t);
  return column.type === "date" ? iso.slice(0, 10) : iso;
}

function canonicalJson(value: unknown, path: readonly (string | number)[]): string {
  try {
    return canonicalize(value);
  } catch (e) {
    if (isLawfulError(e)) {
      const inner = e.issues[0];
      throw valueError([...path, ...(inner?.path ?? [])], inner?.message ?? "not a JSON value", inner?.code ?? "not_json", e);
    }
    throw e;
  }
}

/**
 * The text of a non-string cell for text formats (CSV, HTML), or null for an empty cell.
 * Strings are handled by the callers' fast paths but accepted here too.
 */
export function cellText(value: unknown, column: Column, path: readonly (string | number)[]): string | null {
  switch (typeof value) {
    case "string":
      if (column.type === "binary") throw valueError(path, "a binary column takes Uint8Array values, not text", "binary_expected");
      if (hasLoneSurrogate(value)) throw valueError(path, "the text contains a lone surrogate (not valid Unicode)", "lone_surrogate");
      return value;
    case "undefined":
      return null;
    case "number":
      if (!Number.isFinite(value)) throw valueError(path, `${String(value)} is not a finite number`, "not_finite");
      if (column.type === "binary") throw valueError(path, "a binary column takes Uint8Array values", "binary_expected");
      return String(value);
    case "boolean":
      if (column.type === "binary") throw valueError(path, "a binary column takes Uint8Array values", "binary_expected");
      return value ? "true" : "false";
    case "bigint":
      if (column.type === "binary") throw valueError(path, "a binary column takes Uint8Array values", "binary_expected");
      return value.toString(10);
    case "object": {
      if (value === null) return null;
      if (value instanceof Date) return dateText(value, column, path);
      if (isBinary(value)) {
        if (column.type !== "binary") throw valueError(path, "binary data is only accepted in a column of type 'binary'", "binary_not_declared");
        return BASE64_MARKER + toBase64(value);
      }
      if (column.type !== "json") throw valueError(path, "objects and arrays are only accepted in a column of type 'json'", "object_not_declared");
      return canonicalJson(value, path);
    }
    case "symbol":
      throw valueError(path, "a symbol cannot be exported", "symbol");
    case "function":
      throw valueError(path, "a function cannot be exported", "function");
  }
}

/** The JSON text of a cell (`null` for empty cells). */
export function cellJson(value: unknown, column: Column, path: readonly (string | number)[]): string {
  if (typeof value === "object" && value !== null && column.type === "json" && !(value instanceof Date) && !isBinary(value)) {
    return canonicalJson(value, path);
  }
  const text = cellText(value, column, path);
  if (text === null) return "null";
  if (typeof value === "number" || typeof value === "boolean") return text;
  return JSON.stringify(text);
}
