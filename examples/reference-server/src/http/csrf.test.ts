import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { CSRF_COOKIE, CSRF_FIELD, csrfProtection, csrfToken } from "./csrf.js";

function app() {
  const a = new Hono();
  a.use("/form", csrfProtection({ origins: ["https://privacy.example.com/base"] }));
  a.get("/form", (c) => c.text(csrfToken(c)));
  a.post("/form", (c) => c.text("done"));
  return a;
}

async function session(a: Hono) {
  const res = await a.request("http://local.test/form");
  const token = await res.text();
  const cookie = /lawful_csrf=([^;]+)/.exec(res.headers.get("set-cookie") ?? "")?.[1];
  return { token, cookie: `${CSRF_COOKIE}=${cookie}` };
}

const post = (a: Hono, body: string, headers: Record<string, string>) =>
  a.request("http://local.test/form", { method: "POST", body, headers: { "content-type": "application/x-www-form-urlencoded", ...headers } });

describe("csrf", () => {
  it("csrfToken - sets an HttpOnly SameSite=Strict cookie once and reuses it", async () => {
    const a = app();
    const res = await a.request("http://local.test/form");
    expect(res.headers.get("set-cookie")).toMatch(/HttpOnly/);
    expect(res.headers.get("set-cookie")).toMatch(/SameSite=Strict/);
    const { token, cookie } = await session(a);
    const again = await a.request("http://local.test/form", { headers: { cookie } });
    expect(await again.text()).toBe(token);
    expect(again.headers.get("set-cookie")).toBeNull();
  });

  it("csrfProtection - accepts the matching field and refuses a missing, wrong or cross-site one", async () => {
    const a = app();
    const { token, cookie } = await session(a);
    expect(await (await post(a, `${CSRF_FIELD}=${token}`, { cookie })).text()).toBe("done");
    expect((await post(a, `${CSRF_FIELD}=${token}`, { cookie, origin: "https://privacy.example.com" })).status).toBe(200);
    for (const [body, headers] of [
      ["", { cookie }],
      [`${CSRF_FIELD}=${token}`, {}],
      [`${CSRF_FIELD}=${token.replace(/.$/, token.endsWith("A") ? "B" : "A")}`, { cookie }],
      [`${CSRF_FIELD}=${token}`, { cookie, origin: "https://evil.example" }],
      [`${CSRF_FIELD}=${token}`, { cookie, "sec-fetch-site": "cross-site" }],
    ] as const) {
      const res = await post(a, body, headers);
      expect(res.status).toBe(403);
      expect(res.headers.get("content-type")).toContain("application/problem+json");
      expect(await res.json()).toMatchObject({ code: "CSRF_REJECTED" });
    }
  });
});
