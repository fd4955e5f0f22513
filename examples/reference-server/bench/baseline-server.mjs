// The load bench's baseline: a bare Hono app with one route returning a constant, served by
// @hono/node-server in its own process on loopback, exactly as the reference server is run.
import { serve } from "@hono/node-server";
import { Hono } from "hono";

const app = new Hono();
app.get("/", (c) => c.json({ status: "ok" }));
const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info) => {
  process.stdout.write(`baseline on http://127.0.0.1:${info.port}\n`);
});
process.once("SIGTERM", () => server.close(() => process.exit(0)));
