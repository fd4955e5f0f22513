import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { ConsentService } from "@lawful/consent";
import { createConsentRoutes, type ConsentRoutesOptions } from "./consent-routes.js";

/**
 * The shop's existing plain `node:http` app, with the consent routes mounted in front of its own.
 * Only the two marked lines are new; the rest is the app as it was.
 */
export function createApp(options: Omit<ConsentRoutesOptions, "consent"> & { consent: ConsentService }): Server {
  const consentRoutes = createConsentRoutes(options); // new

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (await consentRoutes(req, res)) return; // new
    if (req.method === "GET" && req.url === "/") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end('<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Kiezbuch</title></head><body><a href="/signup">Newsletter</a></body></html>');
      return;
    }
    if (req.method === "GET" && req.url === "/healthz") {
      res.writeHead(204);
      res.end();
      return;
    }
    res.writeHead(404, { "content-type": "text/plain; charset=utf-8" });
    res.end("Not found");
  }

  return createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      console.error("request failed", error instanceof Error ? error.name : "unknown error");
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
      res.end("Internal error");
    });
  });
}
