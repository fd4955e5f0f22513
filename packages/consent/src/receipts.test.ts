import { generateKeyPairSync } from "node:crypto";
import { Script } from "node:vm";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { parseCookieCatalogue, toDeviceStorageJson } from "./cookies/catalogue.js";
import { cookieBannerScript, cookieChoiceToSubmission, renderCookieBanner, renderCookieTable } from "./cookies/render.js";
import { createCookieTextCatalogue } from "./cookies/texts.js";
import { gpcWellKnown, parseGpcHeader } from "./gpc.js";
import { ADA, CATALOGUE, makeService, seed } from "./internal/test-fixtures.js";
import { buildIso27560Record, buildKantaraReceipt, signReceipt, verifyReceipt } from "./receipts.js";
import { createTokenSigner } from "./tokens.js";


describe("receipts", () => {
  it("buildIso27560Record - DPV terms, pseudonym only, notice hash; Kantara v1.1 shape; EdDSA JWS verifies and detects tampering", async () => {
    const { service } = makeService();
    await seed(service);
    const r = await service.captureForm({
      tenantId: "acme",
      formId: "signup",
      subject: ADA,
      notice: { noticeId: "signup", version: 1 },
      choices: [{ purposeId: "newsletter", fieldName: "nl", checked: true, defaultChecked: false }],
      request: { ip: "203.0.113.1" },
    });
    const event = r.events[0]!;
    const purpose = (await service.listPurposes("acme")).find((p) => p.id === "newsletter")!;
    const notice = await service.getNotice("acme", "signup", 1);
    const iso = buildIso27560Record({ event, purpose, notice });
    expect(iso).toMatchObject({
      "@type": "dpv:ConsentRecord",
      "dpv:hasConsentStatus": "dpv:ConsentGiven",
      "dpv:hasLegalBasis": "eu-gdpr:A6-1-a",
      piiPrincipalId: event.subjectPseudonym,
      "dpv:hasNotice": { contentSha256: notice!.contentSha256, "dct:hasVersion": "1" },
    });
    expect(JSON.stringify(iso)).not.toContain("ada@example.com");
    expect(JSON.stringify(iso)).not.toContain("203.0.113");
    const kantara = buildKantaraReceipt({ event, purpose, notice, policyUrl: "https://acme.example/privacy" });
    expect(await service.receiptFor("acme", event.id, { policyUrl: "https://acme.example/privacy" })).toEqual({ iso27560: iso, kantara });
    await expect(service.receiptFor("acme", "nope")).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(kantara).toMatchObject({ version: "KI-CR-v1.1.0", jurisdiction: "EU", consentReceiptID: event.id, collectionMethod: "checkbox_checked" });
    expect(kantara.consentTimestamp).toBe(Math.floor(event.occurredAt.getTime() / 1000));
    const { privateKey, publicKey } = generateKeyPairSync("ed25519");
    const jws = signReceipt(kantara, { privateKey, kid: "r1" });
    expect(JSON.parse(Buffer.from(jws.split(".")[0]!, "base64url").toString())).toEqual({ alg: "EdDSA", typ: "JWT", kid: "r1" });
    expect(verifyReceipt(jws, publicKey)).toEqual(JSON.parse(JSON.stringify(kantara)));
    const [h, p, s] = jws.split(".");
    const forged = Buffer.from(JSON.stringify({ ...kantara, status: "withdrawn" })).toString("base64url");
    expect(() => verifyReceipt(`${h}.${forged}.${s}`, publicKey)).toThrow(expect.objectContaining({ code: "INVALID_SIGNATURE" }));
    expect(() => verifyReceipt(`${h}.${p}.${s}`, generateKeyPairSync("ed25519").publicKey)).toThrow(expect.objectContaining({ code: "INVALID_SIGNATURE" }));
  });
});

describe("receipts for CASL", () => {
  it("buildIso27560Record - carries the CASL request content, basis and evidence reference", async () => {
    const { service } = makeService();
    await seed(service);
    const event = await service.record({ tenantId: "acme", subject: ADA, purposeId: "casl-news", type: "given", method: "signed", notice: { noticeId: "casl", version: 1 }, evidence: { collectionPoint: "store", evidenceRef: "scan-17" } });
    const purpose = (await service.listPurposes("acme")).find((p) => p.id === "casl-news")!;
    const record = buildIso27560Record({ event, purpose, notice: await service.getNotice("acme", "casl", 1) });
    expect(record.casl).toEqual({
      requesterName: "Acme Inc.",
      onBehalfOf: null,
      contactBlock: { mailingAddress: "1 Main St, Toronto ON", contact: "https://acme.example" },
      withdrawalStatement: "Unsubscribe at any time.",
      basis: "express",
      evidenceRef: "scan-17",
    });
  });
});

describe("gpc", () => {
  it("parseGpcHeader - only Sec-GPC: 1 counts; gpcWellKnown builds the well-known document", () => {
    expect(parseGpcHeader({ "Sec-GPC": "1" })).toBe(true);
    expect(parseGpcHeader({ "sec-gpc": ["1"] })).toBe(true);
    expect(parseGpcHeader(new Headers({ "sec-gpc": " 1 " }))).toBe(true);
    expect(parseGpcHeader({ "sec-gpc": "0" })).toBe(false);
    expect(parseGpcHeader({})).toBe(false);
    expect(parseGpcHeader(undefined)).toBe(false);
    expect(gpcWellKnown({ lastUpdate: new Date("2025-03-05T10:00:00Z") })).toEqual({ gpc: true, lastUpdate: "2025-03-05" });
    expect(() => gpcWellKnown({ lastUpdate: "yesterday" })).toThrow(expect.objectContaining({ code: "VALIDATION_FAILED" }));
  });
});

describe("tokens", () => {
  it("createTokenSigner - rejects short keys, wrong types and tampering", () => {
    expect(() => createTokenSigner({ key: new Uint8Array(8) })).toThrow(expect.objectContaining({ code: "INVALID_CONFIGURATION" }));
    const s = createTokenSigner({ key: new Uint8Array(32).fill(9) });
    const t = s.sign({ typ: "doi", ten: "acme", sub: "ps1_x", pur: ["a"], iat: 0, exp: 10_000 });
    expect(s.verify(t, "doi", new Date(5000)).sub).toBe("ps1_x");
    expect(() => s.verify(t, "unsubscribe", new Date(5000))).toThrow(expect.objectContaining({ code: "INVALID_SIGNATURE" }));
    expect(() => s.verify(t, "doi", new Date(10_000))).toThrow(expect.objectContaining({ code: "EXPIRED" }));
    expect(() => createTokenSigner({ key: new Uint8Array(32).fill(8) }).verify(t, "doi", new Date(0))).toThrow(expect.objectContaining({ code: "INVALID_SIGNATURE" }));
    expect(() => s.verify("garbage", "doi", new Date(0))).toThrow(expect.objectContaining({ code: "INVALID_SIGNATURE" }));
  });
});

describe("cookie disclosure element", () => {
  it("parseCookieCatalogue - strictly necessary cookies need an exemption rationale; exports deviceStorage.json", () => {
    expect(() => parseCookieCatalogue({ disclosures: [{ identifier: "sid", type: "cookie", maxAgeSeconds: null, purposes: [], category: "strictly_necessary" }] })).toThrow(
      expect.objectContaining({ code: "VALIDATION_FAILED", issues: [expect.objectContaining({ path: ["disclosures", 0, "exemptionRationale"] })] }),
    );
    const ds = toDeviceStorageJson(CATALOGUE);
    expect(ds.disclosures[1]).toEqual({ identifier: "_ga", type: "cookie", maxAgeSeconds: 63072000, domain: "*", purposes: [8, 9] });
  });

  it("renderCookieTable - accessible table with caption, scoped headers and the exemption rationale, in English and German", () => {
    const en = renderCookieTable({ catalogue: CATALOGUE });
    expect(en).toContain("<caption>Cookies and trackers used on this site</caption>");
    expect(en).toContain('<th scope="col">Why it is exempt from consent</th>');
    expect(en).toContain("Stores your cookie choice.");
    expect(en).toContain("730 days");
    const de = renderCookieTable({ catalogue: CATALOGUE, locale: "de-DE" });
    expect(de).toContain("Statistik");
    const fr = renderCookieTable({ catalogue: CATALOGUE, locale: "fr", texts: createCookieTextCatalogue({ fr: { table: { ...createCookieTextCatalogue().get("en").table, caption: "Cookies du site" } } }) });
    expect(fr).toContain("<caption>Cookies du site</caption>");
  });

  it("renderCookieBanner - consent mode default before tags, equal first-layer buttons, unchecked toggles, escaped config", () => {
    const { head, body } = renderCookieBanner({ catalogue: CATALOGUE, noticeVersion: 2, endpoint: "/consent?x=</script>" });
    expect(head).toMatch(/gtag\("consent","default",\{"ad_storage":"denied","ad_user_data":"denied","ad_personalization":"denied","analytics_storage":"denied","functionality_storage":"denied","personalization_storage":"denied","security_storage":"granted","wait_for_update":500\}\)/);
    const buttons = [...body.matchAll(/<button type="button" class="([^"]+)" data-lawful-action="(accept|reject)">/g)].map((m) => m[1]);
    expect(buttons).toEqual(["lawful-cc-btn", "lawful-cc-btn"]);
    expect(body).toContain('<input type="checkbox" data-category="analytics">');
    expect(body).not.toMatch(/data-category="(analytics|marketing|preferences)" checked/);
    expect(body).not.toContain("x=</script>");
    expect(() => renderCookieBanner({ catalogue: CATALOGUE, noticeVersion: 2, endpoint: "" })).toThrow(expect.objectContaining({ code: "VALIDATION_FAILED" }));
  });

  it("cookieBannerScript - is self-contained and under 6 KB gzipped", () => {
    const js = cookieBannerScript();
    const size = gzipSync(js, { level: 9 }).byteLength;
    expect(size).toBeLessThan(6 * 1024);
    expect(() => new Script(js)).not.toThrow();
    expect(js).not.toMatch(/__vi_import|require\(|import\(/);
  });

  it("cookieChoiceToSubmission - maps categories to purposes as button presses, skipping exempt ones", () => {
    const s = cookieChoiceToSubmission(
      { noticeVersion: "2", choices: { strictly_necessary: true, analytics: false, marketing: true }, gpc: false, method: "save" },
      { tenantId: "acme", subject: { kind: "device_id", value: "d1" }, noticeId: "cookies" },
    );
    expect(s.choices).toEqual([
      { purposeId: "cookies.analytics", fieldName: "analytics", checked: false, defaultChecked: false },
      { purposeId: "cookies.marketing", fieldName: "marketing", checked: true, defaultChecked: false },
    ]);
    expect(s).toMatchObject({ control: "button", notice: { noticeId: "cookies", version: 2 }, gpc: false });
    expect(() => cookieChoiceToSubmission({ choices: {} }, { tenantId: "acme", subject: { kind: "device_id", value: "d1" }, noticeId: "cookies" })).toThrow(
      expect.objectContaining({ code: "VALIDATION_FAILED" }),
    );
  });
});
