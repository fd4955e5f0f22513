import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { collectText, createExportDocument, pipeToNodeWritable, pipeToWebWritable, toNodeReadable, toWebReadableStream, writeCsv, writeNdjson } from "./index.js";

function bigDoc(rows: number) {
  return createExportDocument({
    meta: { controller: { name: "Acme" }, generatedAt: new Date("2026-01-01T00:00:00Z") },
    entities: [
      {
        name: "t",
        columns: [{ name: "i", type: "integer" }, { name: "s" }],
        rows: function* () {
          for (let i = 0; i < rows; i++) yield { i, s: `row ${i}, "quoted"` };
        },
      },
    ],
  });
}

describe("stream adapters", () => {
  it("Node Writable - pipes with backpressure and produces the same bytes", async () => {
    const doc = bigDoc(5000);
    const parts: Buffer[] = [];
    const slow = new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _enc, cb) {
        parts.push(chunk);
        setImmediate(cb);
      },
    });
    await pipeToNodeWritable(writeCsv(doc.entities[0]!), slow);
    expect(Buffer.concat(parts).toString("utf8")).toBe(await collectText(writeCsv(doc.entities[0]!)));
  });

  it("Web streams - ReadableStream and WritableStream adapters round trip", async () => {
    const doc = bigDoc(2000);
    const chunks: Uint8Array[] = [];
    await pipeToWebWritable(writeNdjson(doc), new WritableStream<Uint8Array>({ write: (c) => void chunks.push(c) }, { highWaterMark: 1 }));
    const viaWritable = Buffer.concat(chunks).toString("utf8");
    const text = await new Response(toWebReadableStream(writeNdjson(doc))).text();
    expect(text).toBe(viaWritable);
    const readable = toNodeReadable(writeNdjson(doc));
    const parts: Buffer[] = [];
    for await (const c of readable) parts.push(c as Buffer);
    expect(Buffer.concat(parts).toString("utf8")).toBe(text);
  });

  it("Web streams - cancelling the ReadableStream stops the writer", async () => {
    let produced = 0;
    const doc = createExportDocument({
      meta: { controller: { name: "Acme" }, generatedAt: new Date() },
      entities: [
        {
          name: "t",
          columns: [{ name: "i", type: "integer" }],
          rows: function* () {
            for (let i = 0; i < 1e9; i++) {
              produced++;
              yield { i };
            }
          },
        },
      ],
    });
    const reader = toWebReadableStream(writeCsv(doc.entities[0]!)).getReader();
    await reader.read();
    await reader.cancel();
    expect(produced).toBeLessThan(100_000);
  });

  it("errors - a writer error rejects the pipe and destroys the destination", async () => {
    const doc = createExportDocument({
      meta: { controller: { name: "Acme" }, generatedAt: new Date() },
      entities: [{ name: "t", columns: [{ name: "v" }], rows: [{ v: Symbol("x") }] }],
    });
    const sink = new Writable({ write: (_c, _e, cb) => cb() });
    await expect(pipeToNodeWritable(writeCsv(doc.entities[0]!), sink)).rejects.toMatchObject({ code: "NOT_JSON_SERIALIZABLE" });
    expect(sink.destroyed).toBe(true);
    await expect(pipeToWebWritable(writeCsv(doc.entities[0]!), new WritableStream())).rejects.toMatchObject({ code: "NOT_JSON_SERIALIZABLE" });
  });
});
