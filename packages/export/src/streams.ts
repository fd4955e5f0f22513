import { Buffer } from "node:buffer";
import { Readable, type Writable } from "node:stream";
import { pipeline } from "node:stream/promises";

/**
 * Write a byte stream to a Node `Writable` (a file, an HTTP response) with backpressure, and
 * resolve when everything is flushed. The writable is ended at the end; on error it is destroyed.
 *
 * @example
 * ```ts
 * import { createWriteStream } from "node:fs";
 * import { createExportDocument, pipeToNodeWritable, writeNdjson } from "@lawful/export";
 * const doc = createExportDocument({ meta: { controller: { name: "Acme" }, generatedAt: new Date() } });
 * await pipeToNodeWritable(writeNdjson(doc), createWriteStream("/tmp/export.ndjson"));
 * ```
 */
export async function pipeToNodeWritable(source: AsyncIterable<Uint8Array>, destination: Writable): Promise<void> {
  await pipeline(Readable.from(source, { objectMode: false }), destination);
}

/**
 * Wrap a byte stream in a Node `Readable` (pull-based: the writer produces the next chunk only when asked).
 *
 * @example
 * ```ts
 * import { createExportDocument, toNodeReadable, writeJson } from "@lawful/export";
 * const doc = createExportDocument({ meta: { controller: { name: "Acme" }, generatedAt: new Date() } });
 * toNodeReadable(writeJson(doc)).pipe(process.stdout);
 * ```
 */
export function toNodeReadable(source: AsyncIterable<Uint8Array>): Readable {
  return Readable.from(source, { objectMode: false });
}

/**
 * Wrap a byte stream in a Web `ReadableStream<Uint8Array>` (for `fetch` responses, Hono, Deno,
 * workers). Pull-based; cancelling the stream stops the writer.
 *
 * @example
 * ```ts
 * import { createExportDocument, toWebReadableStream, writeJson } from "@lawful/export";
 * const doc = createExportDocument({ meta: { controller: { name: "Acme" }, generatedAt: new Date() } });
 * const response = new Response(toWebReadableStream(writeJson(doc)), { headers: { "content-type": "application/json" } });
 * ```
 */
export function toWebReadableStream(source: AsyncIterable<Uint8Array>): ReadableStream<Uint8Array> {
  const iterator = source[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const next = await iterator.next();
        if (next.done) controller.close();
        else controller.enqueue(next.value);
      },
      async cancel(reason) {
        await iterator.return?.(reason);
      },
    },
    { highWaterMark: 1 },
  );
}

/**
 * Write a byte stream to a Web `WritableStream<Uint8Array>`, awaiting its backpressure
 * (`writer.ready`) before each chunk, then close it. On error the stream is aborted.
 *
 * @example
 * ```ts
 * import { createExportDocument, pipeToWebWritable, writeCsv } from "@lawful/export";
 * const doc = createExportDocument({ meta: { controller: { name: "Acme" }, generatedAt: new Date() }, entities: [{ name: "leads", columns: [{ name: "email" }], rows: [] }] });
 * const sink = new WritableStream<Uint8Array>({ write(chunk) { void chunk; } });
 * await pipeToWebWritable(writeCsv(doc.entities[0]!), sink);
 * ```
 */
export async function pipeToWebWritable(source: AsyncIterable<Uint8Array>, destination: WritableStream<Uint8Array>): Promise<void> {
  const writer = destination.getWriter();
  try {
    for await (const chunk of source) {
      await writer.ready;
      await writer.write(chunk);
    }
    await writer.close();
  } catch (e) {
    await writer.abort(e).catch(() => undefined);
    throw e;
  } finally {
    writer.releaseLock();
  }
}

/**
 * Collect a byte stream into one `Uint8Array`. For tests and small exports only: memory grows with the output.
 *
 * @example
 * ```ts
 * import { collectBytes, createExportDocument, writeJson } from "@lawful/export";
 * const bytes = await collectBytes(writeJson(createExportDocument({ meta: { controller: { name: "Acme" }, generatedAt: new Date() } })));
 * ```
 */
export async function collectBytes(source: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const chunk of source) parts.push(chunk);
  return Buffer.concat(parts);
}

/**
 * Collect a byte stream into a UTF-8 string (a leading BOM is kept). For tests and small exports only.
 *
 * @example
 * ```ts
 * import { collectText, createExportDocument, writeJson } from "@lawful/export";
 * const text = await collectText(writeJson(createExportDocument({ meta: { controller: { name: "Acme" }, generatedAt: new Date() } })));
 * ```
 */
export async function collectText(source: AsyncIterable<Uint8Array>): Promise<string> {
  return new TextDecoder("utf-8", { ignoreBOM: true }).decode(await collectBytes(source));
}
