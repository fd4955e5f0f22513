import { escapeHtml, page } from "./html.js";

interface OpenApiDoc {
  info: { title: string; version: string; description?: string | undefined };
  paths?: object | undefined;
}
type Operation = { summary?: string; tags?: string[]; security?: unknown[] } | undefined;

/** The API docs page: every operation of the OpenAPI document, rendered on the server from local data. */
export function renderApiDocs(doc: OpenApiDoc): string {
  const rows: string[] = [];
  for (const [path, item] of Object.entries((doc.paths ?? {}) as Record<string, Record<string, Operation> | undefined>)) {
    for (const [method, op] of Object.entries(item ?? {})) {
      if (!op || !["get", "post", "put", "patch", "delete"].includes(method)) continue;
      rows.push(
        `<tr><td class="method">${escapeHtml(method)}</td><td><code>${escapeHtml(path)}</code></td><td>${escapeHtml(op.summary ?? "")}</td><td>${escapeHtml((op.tags ?? []).join(", "))}</td><td>${op.security?.length ? "API key" : "public"}</td></tr>`,
      );
    }
  }
  return page(
    `${doc.info.title} — API`,
    `<h1>${escapeHtml(doc.info.title)} <span class="muted">${escapeHtml(doc.info.version)}</span></h1>
<p>${escapeHtml(doc.info.description ?? "")}</p>
<p>The machine-readable document is at <a href="/openapi.json"><code>/openapi.json</code></a> (OpenAPI 3.1).</p>
<table><caption>Operations</caption><thead><tr><th scope="col">Method</th><th scope="col">Path</th><th scope="col">Summary</th><th scope="col">Tag</th><th scope="col">Auth</th></tr></thead>
<tbody>${rows.join("\n")}</tbody></table>`,
  );
}
