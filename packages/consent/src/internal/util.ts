import { createHash } from "node:crypto";
import type { LawfulIssue } from "@lawful/core";
import type * as z from "zod";

export function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

export function zodIssues(error: { issues: readonly z.core.$ZodIssue[] }, prefix: readonly (string | number)[] = []): LawfulIssue[] {
  return error.issues.map((i) => ({
    path: [...prefix, ...i.path.map((p) => (typeof p === "symbol" ? String(p) : p))],
    message: i.message,
    code: i.code,
  }));
}

function expandIpv6(ip: string): number[] | undefined {
  let v = ip;
  let tail: number[] = [];
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(v);
  if (v4) {
    const o = v4[1]!.split(".").map(Number);
    tail = [(o[0]! << 8) | o[1]!, (o[2]! << 8) | o[3]!];
    v = v.slice(0, -v4[1]!.length);
    if (v.endsWith(":") && !v.endsWith("::")) v = v.slice(0, -1);
  }
  const [head, rest] = v.split("::") as [string, string | undefined];
  const parse = (s: string) => (s === "" ? [] : s.split(":").map((h) => parseInt(h, 16)));
  const a = parse(head);
  const b = rest === undefined ? [] : parse(rest);
  const fill = 8 - tail.length - a.length - b.length;
  if (fill < 0 || (rest === undefined && fill !== 0)) return undefined;
  return [...a, ...new Array<number>(fill).fill(0), ...b, ...tail];
}

/** Truncate an IP address: IPv4 to /24, IPv6 to /48. */
export function truncateIp(ip: string): string {
  if (/^\d+\.\d+\.\d+\.\d+$/.test(ip)) return ip.replace(/\.\d+$/, ".0");
  const h = expandIpv6(ip);
  if (!h) return "::";
  return `${h.slice(0, 3).map((x) => x.toString(16)).join(":")}::`;
}

export function plainDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}
