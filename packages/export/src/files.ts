/**
 * One file of a multi-file export (CSV set, ZIP bundle): its path inside the bundle, its media
 * type, and a function producing its bytes as a stream (called once per write).
 *
 * @example
 * ```ts
 * import type { ExportFile } from "@lawful/export";
 * const readme: ExportFile = {
 *   path: "README.txt",
 *   mediaType: "text/plain; charset=utf-8",
 *   content: async function* () { yield new TextEncoder().encode("Your data export\n"); },
 * };
 * ```
 */
export interface ExportFile {
  readonly path: string;
  readonly mediaType: string;
  /** Produce the file's bytes as a stream; called once per write. */
  content(): AsyncIterable<Uint8Array>;
}
