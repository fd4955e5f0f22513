import { createPublicKey, sign as edSign, verify as edVerify, type KeyObject } from "node:crypto";
import { ERROR_CODES, canonicalize } from "@lawful/core";
import { ConsentError } from "./errors.js";
import type { ConsentEvent, Notice, Purpose } from "./model.js";

/**
 * What a receipt is built from: the event, its purpose and (when the event references one) the notice shown.
 *
 * @example
 * ```ts
 * import type { ReceiptInput } from "@lawful/consent";
 * const toInput = (event: ReceiptInput["event"], purpose: ReceiptInput["purpose"], notice?: ReceiptInput["notice"]): ReceiptInput => ({ event, purpose, notice });
 * ```
 */
export interface ReceiptInput {
  readonly event: ConsentEvent;
  readonly purpose: Purpose;
  readonly notice?: Notice | undefined;
  /** URL of the privacy policy, for the Kantara receipt. */
  readonly policyUrl?: string | undefined;
}

const DPV_STATUS: Record<ConsentEvent["type"], string> = {
  given: "dpv:ConsentGiven",
  renewed: "dpv:RenewedConsentGiven",
  refused: "dpv:ConsentRefused",
  withdrawn: "dpv:ConsentWithdrawn",
  expired: "dpv:ConsentExpired",
  requested: "dpv:ConsentRequested",
  objected: "dpv:ConsentWithdrawn",
};

const LEGAL_BASIS: Record<string, string> = {
  consent: "eu-gdpr:A6-1-a",
  contract: "eu-gdpr:A6-1-b",
  legal_obligation: "eu-gdpr:A6-1-c",
  vital_interests: "eu-gdpr:A6-1-d",
  public_task: "eu-gdpr:A6-1-e",
  legitimate_interests: "eu-gdpr:A6-1-f",
};

function consentType(event: ConsentEvent): string {
  if (event.basis?.type === "casl_implied" || event.basis?.type === "eprivacy_soft_opt_in") return "dpv:ImpliedConsent";
  return "dpv:ExpressedConsent";
}

/**
 * Build a consent record in the ISO/IEC TS 27560 information structure, expressed as JSON-LD with W3C DPV terms
 * (following the DPV guide for implementing ISO/IEC TS 27560 with DPV). The subject appears only as its pseudonym.
 *
 * @example
 * ```ts
 * import { buildIso27560Record, type ReceiptInput } from "@lawful/consent";
 * const status = (input: ReceiptInput) => buildIso27560Record(input)["dpv:hasConsentStatus"]; // "dpv:ConsentGiven" for a grant
 * ```
 */
export function buildIso27560Record(input: ReceiptInput): Record<string, unknown> {
  const { event: e, purpose: p, notice: n } = input;
  const record: Record<string, unknown> = {
    "@context": {
      dpv: "https://w3id.org/dpv#",
      "eu-gdpr": "https://w3id.org/dpv/legal/eu/gdpr#",
      dct: "http://purl.org/dc/terms/",
      xsd: "http://www.w3.org/2001/XMLSchema#",
    },
    "@id": `urn:uuid:${e.id}`,
    "@type": "dpv:ConsentRecord",
    schemaVersion: "ISO/IEC TS 27560:2023",
    recordId: e.id,
    piiPrincipalId: e.subjectPseudonym,
    "dpv:hasDataSubject": { "@id": `urn:lawful:subject:${e.subjectPseudonym}`, "@type": "dpv:DataSubject" },
    "dpv:hasDataController": (n?.controllers ?? []).map((c) => ({
      "@type": "dpv:DataController",
      "dpv:hasName": c.name,
      ...(c.contact !== undefined ? { "dpv:hasContact": c.contact } : {}),
      ...(c.address !== undefined ? { "dpv:hasAddress": c.address } : {}),
    })),
    "dpv:hasPurpose": { "@id": `urn:lawful:purpose:${e.tenantId}:${p.id}`, "@type": "dpv:Purpose", "dpv:hasName": p.name, "dpv:hasChannel": p.channel },
    "dpv:hasPersonalData": (n?.dataCategories ?? []).map((c) => ({ "@id": `urn:lawful:data-category:${c}`, "@type": "dpv:PersonalData" })),
    "dpv:hasLegalBasis": LEGAL_BASIS[p.lawfulBasis] ?? p.lawfulBasis,
    "dpv:hasConsentType": consentType(e),
    "dpv:hasConsentStatus": DPV_STATUS[e.type],
    "dpv:hasJurisdiction": e.regime,
    event: [
      {
        eventTime: e.occurredAt.toISOString(),
        eventType: DPV_STATUS[e.type],
        eventBy: e.actor.type === "subject" ? "dpv:DataSubject" : "dpv:DataController",
        collectionMethod: e.method,
        collectionPoint: e.evidence.collectionPoint,
        ...(e.evidence.pageUrl !== undefined ? { collectionUrl: e.evidence.pageUrl } : {}),
        ...(e.evidence.defaultState !== undefined ? { defaultState: e.evidence.defaultState } : {}),
      },
    ],
    regimeBasis: e.basis,
  };
  if (e.notice) {
    record["dpv:hasNotice"] = {
      "@id": `urn:lawful:notice:${e.tenantId}:${e.notice.noticeId}:${e.notice.version}`,
      "@type": "dpv:ConsentNotice",
      "dct:identifier": e.notice.noticeId,
      "dct:hasVersion": String(e.notice.version),
      "dct:language": e.notice.locale,
      contentSha256: e.notice.contentSha256,
      ...(n?.withdrawalInfo !== undefined ? { withdrawalInfo: n.withdrawalInfo } : {}),
    };
  }
  if (n?.casl && e.regime === "CA") {
    // CASL (SOR/2012-36 s. 4, DOMAIN B12): who asked, for whom, how to reach them, the withdrawal statement, basis and evidence
    record.casl = {
      requesterName: n.casl.requesterName,
      onBehalfOf: n.casl.onBehalfOf ?? null,
      contactBlock: { mailingAddress: n.casl.mailingAddress, contact: n.casl.contact },
      withdrawalStatement: n.casl.withdrawalStatement,
      basis: e.basis?.type === "casl_implied" ? `implied_${e.basis.kind}` : "express",
      evidenceRef: e.evidence.evidenceRef ?? e.id,
    };
  }
  if (e.expiresAt) record["dct:valid"] = { "@type": "xsd:dateTime", "@value": e.expiresAt.toISOString() };
  return record;
}

/**
 * Build a receipt in the Kantara Initiative Consent Receipt v1.1 shape (`KI-CR-v1.1.0`).
 *
 * @example
 * ```ts
 * import { buildKantaraReceipt, type ReceiptInput } from "@lawful/consent";
 * const receiptFor = (input: ReceiptInput) => buildKantaraReceipt({ ...input, policyUrl: "https://acme.example/privacy" });
 * // receiptFor(input).version === "KI-CR-v1.1.0"
 * ```
 */
export function buildKantaraReceipt(input: ReceiptInput): Record<string, unknown> & { version: string } {
  const { event: e, purpose: p, notice: n } = input;
  return {
    version: "KI-CR-v1.1.0",
    jurisdiction: e.regime,
    consentTimestamp: Math.floor(e.occurredAt.getTime() / 1000),
    collectionMethod: e.method,
    consentReceiptID: e.id,
    language: e.notice?.locale ?? "en",
    piiPrincipalId: e.subjectPseudonym,
    piiControllers: (n?.controllers ?? []).map((c) => ({
      piiController: c.name,
      onBehalf: false,
      contact: c.contact ?? "",
      address: c.address ?? "",
    })),
    policyUrl: input.policyUrl ?? "",
    services: [
      {
        service: p.name,
        purposes: [
          {
            purpose: p.id,
            purposeCategory: [p.directMarketing ? "Marketing" : p.saleOrSharing ? "Sale or sharing" : p.name],
            consentType: consentType(e) === "dpv:ImpliedConsent" ? "IMPLICIT" : "EXPLICIT",
            piiCategory: [...(n?.dataCategories ?? [])],
            primaryPurpose: false,
            termination: e.expiresAt ? e.expiresAt.toISOString() : (n?.withdrawalInfo ?? "Until withdrawn"),
            thirdPartyDisclosure: false,
          },
        ],
      },
    ],
    sensitive: (n?.dataCategories ?? []).some((c) => c.startsWith("special")),
    spiCat: (n?.dataCategories ?? []).filter((c) => c.startsWith("special")),
    status: e.type,
  };
}

/**
 * Sign a receipt as a compact JWS (RFC 7515) with Ed25519 (`alg: "EdDSA"`); the payload is the RFC 8785 canonical JSON.
 *
 * @throws ConsentError `INVALID_CONFIGURATION` when the key is not an Ed25519 private key.
 * @example
 * ```ts
 * import { generateKeyPairSync } from "node:crypto";
 * import { signReceipt } from "@lawful/consent";
 * const { privateKey } = generateKeyPairSync("ed25519");
 * const jws = signReceipt({ version: "KI-CR-v1.1.0" }, { privateKey, kid: "receipts-2025" });
 * ```
 */
export function signReceipt(receipt: Record<string, unknown>, options: { privateKey: KeyObject; kid?: string | undefined }): string {
  if (options.privateKey?.asymmetricKeyType !== "ed25519" || options.privateKey.type !== "private") {
    throw new ConsentError(ERROR_CODES.INVALID_CONFIGURATION, "signReceipt() needs an Ed25519 private KeyObject (crypto.generateKeyPairSync('ed25519')).");
  }
  const header = Buffer.from(JSON.stringify({ alg: "EdDSA", typ: "JWT", ...(options.kid !== undefined ? { kid: options.kid } : {}) })).toString("base64url");
  const payload = Buffer.from(canonicalize(receipt), "utf8").toString("base64url");
  const signature = edSign(null, Buffer.from(`${header}.${payload}`), options.privateKey).toString("base64url");
  return `${header}.${payload}.${signature}`;
}

/**
 * Verify a compact JWS made by {@link signReceipt} and return its payload.
 *
 * @throws ConsentError `INVALID_SIGNATURE` when malformed, not EdDSA, or the signature does not verify.
 * @example
 * ```ts
 * import { generateKeyPairSync } from "node:crypto";
 * import { signReceipt, verifyReceipt } from "@lawful/consent";
 * const { privateKey, publicKey } = generateKeyPairSync("ed25519");
 * verifyReceipt(signReceipt({ a: 1 }, { privateKey }), publicKey); // { a: 1 }
 * ```
 */
export function verifyReceipt(jws: string, publicKey: KeyObject): Record<string, unknown> {
  const bad = (): never => {
    throw new ConsentError(ERROR_CODES.INVALID_SIGNATURE, "The receipt signature does not verify.");
  };
  const parts = typeof jws === "string" ? jws.split(".") : [];
  if (parts.length !== 3) return bad();
  const [h, p, s] = parts as [string, string, string];
  let header: { alg?: unknown };
  try {
    header = JSON.parse(Buffer.from(h, "base64url").toString("utf8")) as { alg?: unknown };
  } catch {
    return bad();
  }
  if (header.alg !== "EdDSA") return bad();
  const key = publicKey.type === "private" ? createPublicKey(publicKey) : publicKey;
  if (!edVerify(null, Buffer.from(`${h}.${p}`), key, Buffer.from(s, "base64url"))) return bad();
  try {
    return JSON.parse(Buffer.from(p, "base64url").toString("utf8")) as Record<string, unknown>;
  } catch {
    return bad();
  }
}
