import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { isLawfulError, type LawfulIssue } from "@lawful/core";

/** An RFC 9457 problem document. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  code?: string;
  issues?: readonly LawfulIssue[];
  instance?: string;
}

const STATUS_BY_CODE: Record<string, ContentfulStatusCode> = {
  VALIDATION_FAILED: 400,
  INVALID_PERIOD: 400,
  NOT_JSON_SERIALIZABLE: 400,
  NOT_FOUND: 404,
  CONFLICT: 409,
  ILLEGAL_TRANSITION: 409,
  POLICY_VIOLATION: 422,
  EXPIRED: 410,
  LOCKED: 423,
  INVALID_SIGNATURE: 400,
  KEY_SHREDDED: 410,
  UNSUPPORTED: 501,
};

const TITLES: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  410: "Gone",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Content",
  423: "Locked",
  429: "Too Many Requests",
  500: "Internal Server Error",
  501: "Not Implemented",
  503: "Service Unavailable",
};

/** Send a problem+json response. */
export function problem(c: Context, status: ContentfulStatusCode, detail: string, extra: Partial<Problem> = {}): Response {
  const body: Problem = {
    type: extra.code ? `urn:lawful:problem:${extra.code.toLowerCase().replace(/_/g, "-")}` : "about:blank",
    title: TITLES[status] ?? "Error",
    status,
    detail,
    ...extra,
  };
  return c.body(JSON.stringify(body), status, { "content-type": "application/problem+json" });
}

/** Map any thrown error to a problem response; unknown errors become an opaque 500. */
export function problemFromError(c: Context, error: unknown): Response {
  if (isLawfulError(error)) {
    const status = STATUS_BY_CODE[error.code] ?? 500;
    if (status === 500) return problem(c, 500, "The server failed to handle the request.", { code: "INTERNAL" });
    return problem(c, status, error.message, { code: error.code, ...(error.issues.length ? { issues: error.issues } : {}) });
  }
  if (error instanceof HTTPException && error.status < 500) {
    const status = error.status;
    const detail = status === 400 ? "The request body is not valid JSON or form data." : error.message || TITLES[status] || "Request refused.";
    return problem(c, status, detail, { code: status === 400 ? "MALFORMED_BODY" : "HTTP_ERROR" });
  }
  return problem(c, 500, "The server failed to handle the request.", { code: "INTERNAL" });
}
