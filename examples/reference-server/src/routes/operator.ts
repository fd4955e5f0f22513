import type { OpenAPIHono } from "@hono/zod-openapi";
import { Hono, type Context, type MiddlewareHandler } from "hono";
import * as z from "zod";
import { isLawfulError, issuesFromZod, type Clock } from "@lawful/core";
import { DSR_STATES, DsrStateSchema, TERMINAL_STATES, type DsrRequest, type DsrState, type DsrTask } from "@lawful/dsr";
import { checkDpaComplete, type PartyRecord } from "@lawful/registry";
import { RetentionRecordSchema, type RetentionPlan } from "@lawful/retention";
import type { AppEnv } from "../http/app.js";
import { CSRF_FIELD, csrfProtection, csrfToken } from "../http/csrf.js";
import { escapeHtml, page } from "../http/html.js";
import { OPERATOR_SESSION_TTL_MS, createOperatorSessions } from "../http/operator-session.js";
import { problem } from "../http/problem.js";
import { negotiateLanguage, t, type Language, type MessageKey } from "../i18n.js";
import type { Sql } from "../db.js";
import type { Services } from "../services.js";
import type { Principal, Scope, TenantService } from "../tenants.js";
import { planTenantRetention } from "./retention.js";
import { lastVerification, verifyAndRecord } from "../audit-status.js";

/**
 * A request whose binding deadline is at most this many days away is "due soon" (amber) in the
 * operator queue; past the deadline it is "overdue" (red); anything else is "later" (green).
 *
 * @example
 * ```ts
 * import { DUE_SOON_DAYS } from "./operator.js";
 * const soon = (daysLeft: number) => daysLeft >= 0 && daysLeft <= DUE_SOON_DAYS;
 * ```
 */
export const DUE_SOON_DAYS = 7;
/** At most this many requests are listed in one queue view. */
const QUEUE_LIMIT = 500;
/** The request-volume chart covers this many weeks, the current one included. */
const CHART_WEEKS = 12;
/** The response-time chart covers the requests received in this many days. */
const MEDIAN_WINDOW_DAYS = 365;

const DAY = 86_400_000;
const WEEK = 7 * DAY;
const OPEN_STATES: readonly DsrState[] = DSR_STATES.filter((s) => !TERMINAL_STATES.includes(s));

/** How urgent a queue row is; the row's class is `due-<urgency>`. */
type Urgency = "overdue" | "soon" | "later" | "closed";
// colour plus a text label in its own column, so the meaning never rests on colour alone
const URGENCY_STYLE: Record<Urgency, string> = { overdue: "background:#fbd5d2", soon: "background:#fdefc3", later: "background:#dff1dc", closed: "" };
const URGENCY_LABEL: Record<Urgency, MessageKey> = { overdue: "ops.due.overdue", soon: "ops.due.soon", later: "ops.due.later", closed: "ops.due.closed" };

interface OpsEnv {
  Variables: { principal: Principal; lang: Language };
}
type Ctx = Context<OpsEnv>;

const LoginSchema = z.object({ key: z.string().trim().min(1).max(256) });
const QueueQuerySchema = z.object({ state: z.union([z.literal(""), DsrStateSchema]).optional() });
const RequestIdSchema = z.string().min(1).max(128);
const PlanFormSchema = z.object({ records: z.string().max(2_000_000) });
const PlanRecordsSchema = z.array(RetentionRecordSchema).max(10_000);

const fmt = (d: Date | string | undefined | null) => (d ? `${new Date(d).toISOString().slice(0, 16).replace("T", " ")} UTC` : "—");
const allowed = (p: Principal, scope: Scope) => p.scopes.has(scope) || p.scopes.has("admin");
const cells = (values: readonly string[], tag = "td") => `<tr>${values.map((v) => `<${tag}${tag === "th" ? ' scope="col"' : ""}>${v}</${tag}>`).join("")}</tr>`;
const table = (caption: string, head: readonly string[], rows: readonly string[]) =>
  `<table><caption>${escapeHtml(caption)}</caption><thead>${cells(head.map(escapeHtml), "th")}</thead><tbody>${rows.join("")}</tbody></table>`;
const facts = (pairs: readonly [string, string][]) => `<table><tbody>${pairs.map(([k, v]) => `<tr><th scope="row">${escapeHtml(k)}</th><td>${v}</td></tr>`).join("")}</tbody></table>`;

const NAV: readonly { href: string; label: MessageKey; scopes: readonly Scope[] }[] = [
  { href: "/ops", label: "ops.nav.queue", scopes: ["requests"] },
  { href: "/ops/charts", label: "ops.nav.charts", scopes: ["requests", "consent"] },
  { href: "/ops/audit", label: "ops.nav.audit", scopes: ["audit"] },
  { href: "/ops/registry", label: "ops.nav.registry", scopes: ["registry"] },
  { href: "/ops/retention", label: "ops.nav.retention", scopes: ["retention"] },
];

/** A complete operator page: the tenant, the pages this key may open, sign-out, then the content. */
function render(c: Ctx, title: string, body: string, status: 200 | 400 | 401 | 403 | 404 = 200): Response {
  const lang = c.get("lang");
  const principal = c.get("principal") as Principal | undefined;
  const header = principal
    ? `<header><p class="muted">${escapeHtml(t(lang, "ops.signedIn", { tenant: principal.tenant.name }))}</p>
<nav aria-label="${escapeHtml(t(lang, "ops.title"))}"><ul style="list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:1rem">${NAV.filter((n) => n.scopes.every((s) => allowed(principal, s)))
        .map((n) => `<li><a href="${escapeHtml(n.href)}">${escapeHtml(t(lang, n.label))}</a></li>`)
        .join("")}<li><form method="post" action="/ops/logout"><input type="hidden" name="${CSRF_FIELD}" value="${escapeHtml(csrfToken(c))}"><button type="submit">${escapeHtml(t(lang, "ops.logout"))}</button></form></li></ul></nav></header>`
    : "";
  c.header("Cache-Control", "no-store");
  return c.html(page(`${title} · ${t(lang, "ops.title")}`, `${header}<main><h1>${escapeHtml(title)}</h1>${body}</main>`, lang), status);
}

/** Render the page only when the signed-in key has every scope (admin implies all); else a 403 page. */
function requireScopes(...scopes: Scope[]): MiddlewareHandler<OpsEnv> {
  return async (c, next) => {
    const missing = scopes.find((s) => !allowed(c.get("principal"), s));
    if (missing) return render(c, t(c.get("lang"), "ops.forbidden.title"), `<p>${escapeHtml(t(c.get("lang"), "ops.forbidden.body", { scope: missing }))}</p>`, 403);
    await next();
  };
}

/** A server-rendered SVG bar chart (no script); each bar carries its value in `data-value` and a tooltip. */
function barChart(id: string, title: string, bars: readonly { label: string; axis: string; value: number; text: string }[], max?: number): string {
  const [width, height, left, top, bottom] = [640, 220, 16, 22, 34];
  const plot = height - top - bottom;
  const slot = (width - 2 * left) / Math.max(1, bars.length);
  const barWidth = Math.min(56, slot * 0.7);
  const scale = max ?? Math.max(1, ...bars.map((b) => b.value));
  const marks = bars
    .map((b, i) => {
      const h = Math.round((b.value / scale) * plot * 10) / 10;
      const x = Math.round((left + i * slot + (slot - barWidth) / 2) * 10) / 10;
      const cx = Math.round((left + i * slot + slot / 2) * 10) / 10;
      return `<rect class="bar" x="${x}" y="${top + plot - h}" width="${Math.round(barWidth * 10) / 10}" height="${h}" fill="#2f6fb0" data-label="${escapeHtml(b.label)}" data-value="${b.value}"><title>${escapeHtml(b.label)}: ${escapeHtml(b.text)}</title></rect>
<text x="${cx}" y="${top + plot - h - 5}" text-anchor="middle" font-size="11" fill="#1b1b1b">${escapeHtml(b.text)}</text>
<text x="${cx}" y="${height - bottom + 16}" text-anchor="middle" font-size="10" fill="#555">${escapeHtml(b.axis)}</text>`;
    })
    .join("\n");
  return `<svg id="${id}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="${id}-title" style="width:100%;max-width:40rem;height:auto;display:block">
<title id="${id}-title">${escapeHtml(title)}</title>
<line x1="${left}" y1="${top + plot}" x2="${width - left}" y2="${top + plot}" stroke="#555"/>
${marks}
</svg>`;
}

function taskLabel(task: DsrTask): string {
  const p = task.payload;
  return p.kind === "source" ? `${p.sourceId}: ${p.operation}` : `${p.recipient.name}: ${p.event}`;
}

function dpaStatus(lang: Language, record: PartyRecord): string {
  const party = record.party;
  if (party.role !== "processor" && party.role !== "subprocessor") return t(lang, "ops.dpa.notApplicable");
  if (!party.dpa) return t(lang, "ops.dpa.missing");
  const open = checkDpaComplete(party.dpa).length;
  return open === 0 ? t(lang, "ops.dpa.complete") : t(lang, "ops.dpa.incomplete", { count: String(open) });
}

function planHtml(lang: Language, plan: RetentionPlan): string {
  const outcomes = Object.entries(plan.byOutcome).map(([k, v]) => cells([`<code>${escapeHtml(k)}</code>`, escapeHtml(v)]));
  const rules = Object.entries(plan.byRule).map(([k, v]) => cells([`<code>${escapeHtml(k)}</code>`, escapeHtml(v.decided)]));
  const holds = Object.entries(plan.byHold).map(([k, v]) => cells([`<code>${escapeHtml(k)}</code>`, escapeHtml(v)]));
  const next = plan.earliestNextExpiry;
  return `${facts([
    [t(lang, "ops.plan.records"), escapeHtml(plan.records)],
    [t(lang, "ops.plan.nextExpiry"), next ? `${escapeHtml(fmt(next.at))} (<code>${escapeHtml(next.ruleId)}</code>${next.action ? `: ${escapeHtml(next.action)}` : ""})` : "—"],
  ])}
${table(t(lang, "ops.plan.outcome"), [t(lang, "ops.plan.outcome"), t(lang, "ops.col.count")], outcomes)}
${rules.length ? table(t(lang, "ops.plan.byRule"), [t(lang, "ops.col.id"), t(lang, "ops.col.count")], rules) : ""}
${holds.length ? table(t(lang, "ops.plan.byHold"), [t(lang, "ops.col.id"), t(lang, "ops.col.count")], holds) : ""}`;
}

/**
 * Operator pages under `/ops`, server-rendered HTML with no script: sign-in with an API key into a
 * server-side session (8 hours), the request queue coloured by deadline, a request's timeline, audit
 * chain status, the registry, retention rules/holds with a dry-run plan, and SVG charts with table
 * alternatives. Every page shows only the signed-in key's tenant and needs the scopes of its data.
 *
 * @example
 * ```ts
 * import type { OpenAPIHono } from "@hono/zod-openapi";
 * import type { AppEnv, AppDeps } from "../http/app.js";
 * import { registerOperatorRoutes } from "./operator.js";
 * declare const app: OpenAPIHono<AppEnv>;
 * declare const deps: AppDeps;
 * registerOperatorRoutes(app, deps);
 * ```
 */
export function registerOperatorRoutes(
  app: OpenAPIHono<AppEnv>,
  deps: { sql: Sql; tenants: TenantService; clock: Clock; services: Services; publicBaseUrl?: string | undefined },
): void {
  const { services, clock } = deps;
  const sessions = createOperatorSessions(deps.sql, clock);
  const ops = new Hono<OpsEnv>();

  ops.use("/ops/*", async (c, next) => {
    c.set("lang", negotiateLanguage(c.req.header("accept-language")));
    await next();
  });
  ops.use("/ops/*", csrfProtection({ origins: [deps.publicBaseUrl] }));
  ops.use("/ops/*", async (c, next) => {
    if (c.req.path === "/ops/login") return next();
    const principal = await sessions.read(c);
    if (!principal) {
      c.header("Cache-Control", "no-store");
      return c.redirect("/ops/login", 303);
    }
    c.set("principal", principal);
    await next();
  });

  const loginPage = (c: Ctx, message?: MessageKey, status: 200 | 400 | 401 = 200) => {
    const lang = c.get("lang");
    return render(
      c,
      t(lang, "ops.login.title"),
      `${message ? `<p role="${status === 200 ? "status" : "alert"}"><strong>${escapeHtml(t(lang, message))}</strong></p>` : ""}
<p>${escapeHtml(t(lang, "ops.login.intro", { hours: String(OPERATOR_SESSION_TTL_MS / 3_600_000) }))}</p>
<form method="post" action="/ops/login"><input type="hidden" name="${CSRF_FIELD}" value="${escapeHtml(csrfToken(c))}">
<p><label for="key">${escapeHtml(t(lang, "ops.login.key"))}</label><br><input id="key" name="key" type="password" autocomplete="off" required maxlength="256" size="60"></p>
<p><button type="submit">${escapeHtml(t(lang, "ops.login.submit"))}</button></p></form>`,
      status,
    );
  };
  ops.get("/ops/login", (c) => loginPage(c, c.req.query("out") === "1" ? "ops.login.signedOut" : undefined));
  ops.post("/ops/login", async (c) => {
    const body = await c.req.parseBody();
    const parsed = LoginSchema.safeParse({ key: body.key });
    if (!parsed.success) return loginPage(c, "ops.login.invalid", 400);
    const principal = await deps.tenants.authenticate(parsed.data.key);
    if (!principal) return loginPage(c, "ops.login.invalid", 401);
    await sessions.start(c, principal);
    const first = NAV.find((n) => n.scopes.every((s) => allowed(principal, s)));
    return c.redirect(first?.href ?? "/ops", 303);
  });
  ops.post("/ops/logout", async (c) => {
    await sessions.end(c);
    return c.redirect("/ops/login?out=1", 303);
  });

  ops.get("/ops", requireScopes("requests"), async (c) => {
    const lang = c.get("lang");
    const query = QueueQuerySchema.safeParse(c.req.query());
    if (!query.success) {
      const issues = issuesFromZod(query.error.issues, ["query"]);
      return problem(c, 400, `Invalid request: ${issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`, { code: "VALIDATION_FAILED", issues });
    }
    const state = query.data.state || undefined;
    const tenantId = c.get("principal").tenant.id;
    const now = clock.now();
    const [list, overdue, soon] = await Promise.all([
      services.dsr.list(tenantId, { states: state ? [state] : OPEN_STATES, limit: QUEUE_LIMIT }),
      services.dsr.overdue(tenantId, now),
      services.dsr.dueSoon(tenantId, DUE_SOON_DAYS, now),
    ]);
    const overdueIds = new Set(overdue.map((r) => r.id));
    const soonIds = new Set(soon.map((r) => r.id));
    const urgency = (r: DsrRequest): Urgency => (TERMINAL_STATES.includes(r.state) ? "closed" : overdueIds.has(r.id) ? "overdue" : soonIds.has(r.id) ? "soon" : "later");
    const rows = [...list]
      .sort((a, b) => a.deadlines.dueAt.getTime() - b.deadlines.dueAt.getTime())
      .map((r) => {
        const u = urgency(r);
        const days = u === "closed" ? "—" : String(Math.ceil((r.deadlines.dueAt.getTime() - now.getTime()) / DAY));
        const paused = r.deadlines.paused ? ` <span class="muted">(${escapeHtml(t(lang, "ops.due.paused"))})</span>` : "";
        return `<tr class="due-${u}" style="${URGENCY_STYLE[u]}" data-request="${escapeHtml(r.id)}"><td><a href="/ops/requests/${escapeHtml(encodeURIComponent(r.id))}">${escapeHtml(r.type)}</a></td><td>${escapeHtml(r.state)}${paused}</td><td>${escapeHtml(fmt(r.receivedAt))}</td><td>${escapeHtml(fmt(r.deadlines.dueAt))}</td><td>${escapeHtml(days)}</td><td>${escapeHtml(t(lang, URGENCY_LABEL[u]))}</td></tr>`;
      });
    const options = [`<option value="">${escapeHtml(t(lang, "ops.queue.open"))}</option>`, ...DSR_STATES.map((s) => `<option value="${escapeHtml(s)}"${s === state ? " selected" : ""}>${escapeHtml(s)}</option>`)];
    return render(
      c,
      t(lang, "ops.queue.title"),
      `<form method="get" action="/ops"><label for="state">${escapeHtml(t(lang, "ops.queue.state"))}</label> <select id="state" name="state">${options.join("")}</select> <button type="submit">${escapeHtml(t(lang, "ops.queue.filter"))}</button></form>
<p class="muted">${escapeHtml(t(lang, "ops.queue.legend", { days: String(DUE_SOON_DAYS) }))}</p>
${
  rows.length
    ? table(t(lang, "ops.queue.title"), ["type", "state", "received", "due", "daysLeft", "urgency"].map((k) => t(lang, `ops.col.${k}` as MessageKey)), rows)
    : `<p>${escapeHtml(t(lang, "ops.queue.empty"))}</p>`
}`,
    );
  });

  ops.get("/ops/requests/:id", requireScopes("requests"), async (c) => {
    const lang = c.get("lang");
    const tenantId = c.get("principal").tenant.id;
    const id = RequestIdSchema.safeParse(c.req.param("id"));
    let r: DsrRequest;
    try {
      if (!id.success) throw id.error;
      r = await services.dsr.get(tenantId, id.data);
    } catch (error) {
      if (error instanceof z.ZodError || (isLawfulError(error) && error.code === "NOT_FOUND")) return render(c, t(lang, "ops.title"), `<p>${escapeHtml(t(lang, "ops.notFound"))}</p>`, 404);
      throw error;
    }
    const tasks = await services.requestTasks(tenantId, r.id);
    const d = r.deadlines;
    const none = `<p>${escapeHtml(t(lang, "ops.none"))}</p>`;
    const col = (k: string) => t(lang, `ops.col.${k}` as MessageKey);
    const deadlineFacts: [string, string][] = [
      [t(lang, "ops.request.clockStarted"), escapeHtml(fmt(d.clockStartedAt))],
      ...(d.acknowledgeBy ? [[t(lang, "ops.request.acknowledgeBy"), escapeHtml(fmt(d.acknowledgeBy))] as [string, string]] : []),
      ...(r.acknowledgedAt ? [[t(lang, "ops.request.acknowledged"), escapeHtml(fmt(r.acknowledgedAt))] as [string, string]] : []),
      [t(lang, "ops.request.respondBy"), escapeHtml(fmt(d.respondBy))],
      ...(d.extensionNoticeBy ? [[t(lang, "ops.request.extensionNoticeBy"), escapeHtml(fmt(d.extensionNoticeBy))] as [string, string]] : []),
      ...(d.extendedBy ? [[t(lang, "ops.request.extendedBy"), escapeHtml(fmt(d.extendedBy))] as [string, string]] : []),
      [t(lang, "ops.request.dueAt"), `<strong>${escapeHtml(fmt(d.dueAt))}</strong>${d.paused ? ` (${escapeHtml(t(lang, "ops.due.paused"))})` : ""}`],
      [t(lang, "ops.request.pausedDays"), escapeHtml(d.pausedDays)],
      [t(lang, "ops.request.rule"), `${escapeHtml(d.rule)}${d.ignoredPauses.map((p) => `<br><span class="muted">${escapeHtml(p)}</span>`).join("")}`],
    ];
    const history = r.history.map((h) =>
      cells([escapeHtml(fmt(h.at)), `<code>${escapeHtml(h.action)}</code>`, `${escapeHtml(h.from)} → ${escapeHtml(h.to)}`, escapeHtml(`${h.actor.type}:${h.actor.id}`)]),
    );
    const pauses = r.pauses.map((p) => cells([escapeHtml(fmt(p.pausedAt)), escapeHtml(fmt(p.resumedAt)), escapeHtml(p.reason)]));
    const taskRows = tasks.map((task) => cells([escapeHtml(taskLabel(task)), escapeHtml(task.status), escapeHtml(`${task.attempts}/${task.maxAttempts}`), escapeHtml(fmt(task.updatedAt))]));
    const notices = r.notifications.map((n) => cells([escapeHtml(n.recipientName), escapeHtml(n.event), escapeHtml(n.status), escapeHtml(fmt(n.confirmedAt ?? n.notifiedAt))]));
    const outcome: [string, string][] = [
      ...(r.outcome ? [[t(lang, "ops.request.outcome"), `${escapeHtml(fmt(r.outcome.respondedAt))}: ${escapeHtml(r.outcome.nature)}`] as [string, string]] : []),
      ...(r.denial ? [[col("reason"), `<code>${escapeHtml(r.denial.reason)}</code>: ${escapeHtml(r.denial.explanation)}`] as [string, string]] : []),
      ...(r.cancellation ? [[col("reason"), escapeHtml(r.cancellation.reason)] as [string, string]] : []),
    ];
    return render(
      c,
      t(lang, "ops.request.title", { id: r.id }),
      `<h2>${escapeHtml(t(lang, "ops.request.summary"))}</h2>
${facts([
  [col("type"), `<code>${escapeHtml(r.type)}</code>`],
  [col("state"), `<code>${escapeHtml(r.state)}</code>`],
  [t(lang, "ops.request.regime"), escapeHtml(r.regime)],
  [t(lang, "ops.request.channel"), escapeHtml(r.channel)],
  [col("received"), escapeHtml(fmt(r.receivedAt))],
  [t(lang, "ops.request.timeZone"), escapeHtml(`${r.timeZone} · ${r.calendarId}`)],
])}
<h2>${escapeHtml(t(lang, "ops.request.deadlines"))}</h2>
${facts(deadlineFacts)}
<h2>${escapeHtml(t(lang, "ops.request.pauses"))}</h2>
${pauses.length ? table(t(lang, "ops.request.pauses"), [col("pausedAt"), col("resumedAt"), col("reason")], pauses) : none}
<h2>${escapeHtml(t(lang, "ops.request.extension"))}</h2>
${r.extension ? facts([[col("time"), escapeHtml(fmt(r.extension.extendedAt))], [col("reason"), escapeHtml(r.extension.reason)], [t(lang, "ops.request.extensionNoticeBy"), escapeHtml(fmt(r.extension.notifiedAt))]]) : none}
<h2>${escapeHtml(t(lang, "ops.request.history"))}</h2>
${history.length ? table(t(lang, "ops.request.history"), [col("time"), col("action"), col("transition"), col("actor")], history) : none}
<h2>${escapeHtml(t(lang, "ops.request.tasks"))}</h2>
${taskRows.length ? table(t(lang, "ops.request.tasks"), [col("task"), col("status"), col("attempts"), col("updated")], taskRows) : none}
<h2>${escapeHtml(t(lang, "ops.request.notifications"))}</h2>
${notices.length ? table(t(lang, "ops.request.notifications"), [col("recipient"), col("event"), col("status"), col("updated")], notices) : none}
<h2>${escapeHtml(t(lang, "ops.request.outcome"))}</h2>
${outcome.length ? facts(outcome) : none}`,
    );
  });

  const auditStatus = { sql: deps.sql, audit: services.audit, clock };
  ops.get("/ops/audit", requireScopes("audit"), async (c) => {
    const lang = c.get("lang");
    const tenantId = c.get("principal").tenant.id;
    // the last full verification (daily, or "Verify now"): verifying rehashes every event, so not on every view
    if (!(await lastVerification(deps.sql, tenantId))) await verifyAndRecord(auditStatus, tenantId);
    const [report, size, checkpoint] = await Promise.all([lastVerification(deps.sql, tenantId).then((r) => r!), services.audit.size(tenantId), services.audit.store.latestCheckpoint(tenantId)]);
    const status = report.ok
      ? `<strong class="audit-ok" style="color:#1d6b1d">${escapeHtml(t(lang, "ops.audit.verified"))}</strong>`
      : `<strong class="audit-broken" style="color:#a40e0e">${escapeHtml(t(lang, "ops.audit.broken"))}</strong>`;
    return render(
      c,
      t(lang, "ops.audit.title"),
      `${facts([
        [t(lang, "ops.audit.status"), status],
        [t(lang, "ops.audit.verifiedAt"), `<time datetime="${escapeHtml(report.verifiedAt)}">${escapeHtml(fmt(report.verifiedAt))}</time>`],
        ...(report.problem ? [[t(lang, "ops.audit.problem"), `<code>${escapeHtml(report.problem.kind)}</code> #${escapeHtml(report.problem.sequence)}: ${escapeHtml(report.problem.message)}`] as [string, string]] : []),
        [t(lang, "ops.audit.treeSize"), escapeHtml(size)],
        [t(lang, "ops.audit.eventsChecked"), escapeHtml(report.eventsChecked)],
        [t(lang, "ops.audit.covered"), escapeHtml(report.coveredSize)],
      ])}
<form method="post" action="/ops/audit/verify"><input type="hidden" name="${CSRF_FIELD}" value="${escapeHtml(csrfToken(c))}"><button type="submit">${escapeHtml(t(lang, "ops.audit.verifyNow"))}</button> <span class="muted">${escapeHtml(t(lang, "ops.audit.verifyHelp"))}</span></form>
<h2>${escapeHtml(t(lang, "ops.audit.checkpoint"))}</h2>
${
  checkpoint
    ? `${facts([
        [t(lang, "ops.audit.treeSize"), escapeHtml(checkpoint.treeSize)],
        [t(lang, "ops.audit.checkpointAt"), escapeHtml(fmt(checkpoint.createdAt))],
        [t(lang, "ops.audit.rootHash"), `<code>${escapeHtml(Buffer.from(checkpoint.rootHash).toString("base64"))}</code>`],
      ])}<pre>${escapeHtml(checkpoint.note)}</pre>`
    : `<p>${escapeHtml(t(lang, "ops.audit.noCheckpoint"))}</p>`
}
<h2>${escapeHtml(t(lang, "ops.audit.verifierKey"))}</h2>
<p><code class="verifier-key" style="word-break:break-all">${escapeHtml(services.checkpointVerifierKey)}</code></p>
<p class="muted">${escapeHtml(t(lang, "ops.audit.verifierHelp"))}</p>`,
    );
  });

  ops.post("/ops/audit/verify", requireScopes("audit"), async (c) => {
    await verifyAndRecord(auditStatus, c.get("principal").tenant.id);
    return c.redirect("/ops/audit", 303);
  });

  ops.get("/ops/registry", requireScopes("registry"), async (c) => {
    const lang = c.get("lang");
    const parties = await services.registry.listParties(c.get("principal").tenant.id);
    const col = (k: string) => t(lang, `ops.col.${k}` as MessageKey);
    const rows = parties.map((r) =>
      cells([
        escapeHtml(r.party.legalName),
        escapeHtml(r.party.role),
        escapeHtml(r.status),
        escapeHtml([r.party.country, ...(r.party.processingLocations ?? []).filter((l) => l !== r.party.country)].join(", ")),
        escapeHtml(r.party.transfer?.kind ?? "—"),
        escapeHtml(dpaStatus(lang, r)),
      ]),
    );
    return render(
      c,
      t(lang, "ops.registry.title"),
      rows.length ? table(t(lang, "ops.registry.title"), [col("name"), col("role"), col("state"), col("country"), col("transfer"), col("dpa")], rows) : `<p>${escapeHtml(t(lang, "ops.registry.empty"))}</p>`,
    );
  });

  const retentionPage = async (c: Ctx, plan: { input: string; result?: RetentionPlan; problems?: string }) => {
    const lang = c.get("lang");
    const tenantId = c.get("principal").tenant.id;
    const [rules, holds] = await Promise.all([services.retention.listRules(tenantId), services.retention.listHolds(tenantId)]);
    const col = (k: string) => t(lang, `ops.col.${k}` as MessageKey);
    const ruleRows = rules.map((r) =>
      cells([`<code>${escapeHtml(r.id)}</code>`, escapeHtml(r.title), `<code>${escapeHtml(r.duration)}</code>`, escapeHtml(r.kind), escapeHtml(r.action), escapeHtml(r.citation ?? "—")]),
    );
    const holdRows = holds.map((h) => cells([`<code>${escapeHtml(h.id)}</code>`, escapeHtml(h.matter), escapeHtml(fmt(h.issuedAt)), escapeHtml(fmt(h.releasedAt))]));
    return render(
      c,
      t(lang, "ops.retention.title"),
      `<h2>${escapeHtml(t(lang, "ops.retention.rules"))}</h2>
${ruleRows.length ? table(t(lang, "ops.retention.rules"), [col("id"), col("title"), col("duration"), col("kind"), col("action"), col("citation")], ruleRows) : `<p>${escapeHtml(t(lang, "ops.none"))}</p>`}
<h2>${escapeHtml(t(lang, "ops.retention.holds"))}</h2>
${holdRows.length ? table(t(lang, "ops.retention.holds"), [col("id"), col("matter"), col("issued"), col("released")], holdRows) : `<p>${escapeHtml(t(lang, "ops.none"))}</p>`}
<h2 id="plan">${escapeHtml(t(lang, "ops.retention.plan"))}</h2>
<p>${escapeHtml(t(lang, "ops.retention.planHelp"))}</p>
${plan.problems ? `<p role="alert"><strong>${escapeHtml(t(lang, "ops.retention.invalid", { problems: plan.problems }))}</strong></p>` : ""}
<form method="post" action="/ops/retention/plan"><input type="hidden" name="${CSRF_FIELD}" value="${escapeHtml(csrfToken(c))}">
<p><label for="records">${escapeHtml(t(lang, "ops.retention.records"))}</label><br><textarea id="records" name="records" rows="8" cols="80" spellcheck="false">${escapeHtml(plan.input)}</textarea></p>
<p><button type="submit">${escapeHtml(t(lang, "ops.retention.run"))}</button></p></form>
${plan.result ? planHtml(lang, plan.result) : ""}`,
      plan.problems ? 400 : 200,
    );
  };
  ops.get("/ops/retention", requireScopes("retention"), (c) => retentionPage(c, { input: "[]" }));
  ops.post("/ops/retention/plan", requireScopes("retention"), async (c) => {
    const form = PlanFormSchema.safeParse(await c.req.parseBody());
    if (!form.success) return retentionPage(c, { input: "", problems: issuesFromZod(form.error.issues).map((i) => `${i.path.join(".")}: ${i.message}`).join("; ") });
    let json: unknown;
    try {
      json = JSON.parse(form.data.records);
    } catch {
      return retentionPage(c, { input: form.data.records, problems: "records: not valid JSON" });
    }
    const records = PlanRecordsSchema.safeParse(json);
    if (!records.success) {
      return retentionPage(c, { input: form.data.records, problems: issuesFromZod(records.error.issues, ["records"]).map((i) => `${i.path.join(".")}: ${i.message}`).join("; ") });
    }
    const result = await planTenantRetention(services.retention, c.get("principal").tenant.id, records.data, clock.now());
    return retentionPage(c, { input: form.data.records, result });
  });

  ops.get("/ops/charts", requireScopes("requests", "consent"), async (c) => {
    const lang = c.get("lang");
    const tenantId = c.get("principal").tenant.id;
    const now = clock.now();
    const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
    const thisWeek = today - ((new Date(today).getUTCDay() + 6) % 7) * DAY; // Monday 00:00 UTC
    const from = thisWeek - (CHART_WEEKS - 1) * WEEK;
    const [records, metrics, notices] = await Promise.all([
      services.dsr.records(tenantId, { from: new Date(from), to: new Date(thisWeek + WEEK) }),
      services.dsr.metrics(tenantId, { from: new Date(now.getTime() - MEDIAN_WINDOW_DAYS * DAY), to: now }),
      services.consentByNotice(tenantId),
    ]);
    const weeks = Array.from({ length: CHART_WEEKS }, (_, i) => ({ start: new Date(from + i * WEEK), count: 0 }));
    for (const r of records) {
      const week = weeks[Math.floor((new Date(r.dateOfRequest).getTime() - from) / WEEK)];
      if (week) week.count++;
    }
    const col = (k: string) => t(lang, `ops.col.${k}` as MessageKey);
    const noData = `<p>${escapeHtml(t(lang, "ops.charts.noData"))}</p>`;
    const volumeTitle = t(lang, "ops.charts.volume", { weeks: String(CHART_WEEKS) });
    const volume = `${barChart(
      "chart-volume",
      volumeTitle,
      weeks.map((w) => ({ label: w.start.toISOString().slice(0, 10), axis: w.start.toISOString().slice(5, 10), value: w.count, text: String(w.count) })),
    )}
${table(volumeTitle, [col("week"), col("requests")], weeks.map((w) => cells([escapeHtml(w.start.toISOString().slice(0, 10)), escapeHtml(w.count)])))}`;
    const medianTitle = t(lang, "ops.charts.median", { days: String(MEDIAN_WINDOW_DAYS) });
    const answered = metrics.byType.filter((m) => m.medianDaysToRespond !== undefined);
    const median = metrics.byType.length
      ? `${answered.length ? barChart("chart-median", medianTitle, answered.map((m) => ({ label: m.type, axis: m.type, value: m.medianDaysToRespond!, text: String(m.medianDaysToRespond) }))) : ""}
${table(medianTitle, [col("type"), col("requests"), col("median")], metrics.byType.map((m) => cells([`<code>${escapeHtml(m.type)}</code>`, escapeHtml(m.received), escapeHtml(m.medianDaysToRespond ?? "—")])))}`
      : noData;
    const consentTitle = t(lang, "ops.charts.consent");
    const rate = (n: { given: number; refused: number }) => (n.given + n.refused === 0 ? 0 : n.given / (n.given + n.refused));
    const percent = (n: { given: number; refused: number }) => `${Math.round(rate(n) * 100)} %`;
    const consent = notices.length
      ? `${barChart(
          "chart-consent",
          consentTitle,
          notices.map((n) => ({ label: `${n.noticeId} v${n.version}`, axis: `${n.noticeId} v${n.version}`, value: Math.round(rate(n) * 1000) / 1000, text: percent(n) })),
          1,
        )}
${table(consentTitle, [col("notice"), col("given"), col("refused"), col("rate")], notices.map((n) => cells([escapeHtml(`${n.noticeId} v${n.version}`), escapeHtml(n.given), escapeHtml(n.refused), escapeHtml(percent(n))])))}`
      : noData;
    return render(
      c,
      t(lang, "ops.charts.title"),
      `<section aria-labelledby="h-volume"><h2 id="h-volume">${escapeHtml(volumeTitle)}</h2>${volume}</section>
<section aria-labelledby="h-median"><h2 id="h-median">${escapeHtml(medianTitle)}</h2>${median}</section>
<section aria-labelledby="h-consent"><h2 id="h-consent">${escapeHtml(consentTitle)}</h2>${consent}</section>`,
    );
  });

  app.route("/", ops);
}
