#!/usr/bin/env node
// Link check over a generated static site (default: the typedoc site in docs-site/, built by
// `pnpm run docs`). Parses every .html file, collects href/src (and xlink:href) attributes, and for
// every internal link checks that the target file exists and, when the link has a #fragment, that
// an element with that id (or name) exists in the target page or SVG.
// External links (http:, https:, protocol-relative //host, mailto:, tel:, data:, …) are not
// fetched; `javascript:` links are reported as broken. Links to the site's own public address
// count as internal when it is given with --base-url.
// Prints each broken link with the page it is on and exits 1 when there is any; exits 2 when the
// site directory does not exist.
// Usage: node scripts/check-links.mjs [site-dir] [--base-url https://example.org/docs/]
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, extname, join, relative, resolve, sep } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const args = process.argv.slice(2);
let siteArg = "docs-site";
let baseUrl;
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === "--base-url") baseUrl = args[++i];
  else if (a.startsWith("--base-url=")) baseUrl = a.slice("--base-url=".length);
  else if (a === "-h" || a === "--help") {
    console.log("Usage: node scripts/check-links.mjs [site-dir] [--base-url <public URL of the site>]");
    process.exit(0);
  } else siteArg = a;
}
const site = resolve(root, siteArg);
if (!existsSync(site) || !statSync(site).isDirectory()) {
  console.error(`No site at ${relative(process.cwd(), site) || site}: build it first (pnpm run docs).`);
  process.exit(2);
}
if (baseUrl !== undefined && !baseUrl.endsWith("/")) baseUrl += "/";

const walk = (dir) =>
  readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });

// --- a small HTML/SVG tokenizer: start tags and their attributes --------------------------------

const ENTITIES = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: "\u00a0" };
const decodeEntities = (s) =>
  s.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (m, e) => {
    if (e[0] === "#") {
      const code = e[1] === "x" || e[1] === "X" ? Number.parseInt(e.slice(2), 16) : Number.parseInt(e.slice(1), 10);
      return Number.isFinite(code) && code <= 0x10ffff ? String.fromCodePoint(code) : m;
    }
    return ENTITIES[e.toLowerCase()] ?? m;
  });

const indexOfCi = (text, needle, from) => {
  const re = new RegExp(needle.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "gi");
  re.lastIndex = from;
  const m = re.exec(text);
  return m ? m.index : -1;
};

/** Yield `{ tag, attrs: [[name, value]], line }` for every start tag; skips comments, CDATA, doctype and raw-text content. */
function* startTags(text) {
  let i = 0;
  const n = text.length;
  // line numbers counted incrementally (pages can be large)
  let linePos = 0;
  let lineNo = 1;
  const lineAt = (pos) => {
    for (let k = text.indexOf("\n", linePos); k !== -1 && k < pos; k = text.indexOf("\n", k + 1)) lineNo++;
    linePos = Math.max(linePos, pos);
    return lineNo;
  };
  while (i < n) {
    const lt = text.indexOf("<", i);
    if (lt < 0) return;
    if (text.startsWith("<!--", lt)) {
      const end = text.indexOf("-->", lt + 4);
      i = end < 0 ? n : end + 3;
      continue;
    }
    if (text.startsWith("<![CDATA[", lt)) {
      const end = text.indexOf("]]>", lt + 9);
      i = end < 0 ? n : end + 3;
      continue;
    }
    if (text[lt + 1] === "!" || text[lt + 1] === "?" || text[lt + 1] === "/") {
      const end = text.indexOf(">", lt + 1);
      i = end < 0 ? n : end + 1;
      continue;
    }
    const m = /^<([a-zA-Z][a-zA-Z0-9:-]*)/.exec(text.slice(lt, lt + 64));
    if (!m) {
      i = lt + 1;
      continue;
    }
    const tag = m[1].toLowerCase();
    let j = lt + m[0].length;
    const attrs = [];
    // attributes until '>' (quotes may contain '>')
    for (;;) {
      while (j < n && /[\s/]/.test(text[j])) j++;
      if (j >= n || text[j] === ">") break;
      const nm = /^[^\s"'>/=]+/.exec(text.slice(j, j + 256));
      if (!nm) {
        j++;
        continue;
      }
      const name = nm[0].toLowerCase();
      j += nm[0].length;
      while (j < n && /\s/.test(text[j])) j++;
      let value = "";
      if (text[j] === "=") {
        j++;
        while (j < n && /\s/.test(text[j])) j++;
        const q = text[j];
        if (q === '"' || q === "'") {
          const end = text.indexOf(q, j + 1);
          value = text.slice(j + 1, end < 0 ? n : end);
          j = end < 0 ? n : end + 1;
        } else {
          const v = /^[^\s>]*/.exec(text.slice(j, j + 4096))[0];
          value = v;
          j += v.length;
        }
      }
      attrs.push([name, decodeEntities(value)]);
    }
    yield { tag, attrs, line: lineAt(lt) };
    i = j + 1;
    if (tag === "script" || tag === "style" || tag === "textarea" || tag === "title") {
      const close = indexOfCi(text, `</${tag}`, i);
      i = close < 0 ? n : close;
    }
  }
}

// --- collect anchors and links ------------------------------------------------------------------

const MARKUP = new Set([".html", ".htm", ".svg", ".xhtml", ".xml"]);
const anchorCache = new Map();
/** Every id (and name) in a markup file. */
function anchorsOf(file) {
  let set = anchorCache.get(file);
  if (set) return set;
  set = new Set();
  for (const { attrs } of startTags(readFileSync(file, "utf8"))) {
    for (const [name, value] of attrs) if ((name === "id" || name === "name") && value !== "") set.add(value);
  }
  anchorCache.set(file, set);
  return set;
}

const LINK_ATTRS = new Set(["href", "src", "xlink:href", "poster", "data"]);
const pages = walk(site).filter((p) => /\.html?$/i.test(p));
const broken = [];
let checked = 0;
let external = 0;

const safeDecode = (s) => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

for (const page of pages) {
  const text = readFileSync(page, "utf8");
  const rel = relative(site, page);
  for (const { tag, attrs, line } of startTags(text)) {
    for (const [name, raw] of attrs) {
      if (!LINK_ATTRS.has(name)) continue;
      if (name === "data" && tag !== "object") continue;
      let link = raw.trim();
      const report = (why) => broken.push({ page: rel, line, link: raw, why });
      if (/^javascript:/i.test(link)) {
        report("javascript: URL (use a button or an event handler)");
        continue;
      }
      if (baseUrl !== undefined && link.startsWith(baseUrl)) link = `/${link.slice(baseUrl.length)}`;
      if (/^[a-z][a-z0-9+.-]*:/i.test(link) || link.startsWith("//")) {
        external++;
        continue; // http(s), mailto, tel, data, …: not checked
      }
      checked++;
      const hashAt = link.indexOf("#");
      const fragment = hashAt < 0 ? undefined : safeDecode(link.slice(hashAt + 1));
      const pathPart = (hashAt < 0 ? link : link.slice(0, hashAt)).split("?")[0];
      let target;
      if (pathPart === "") target = page;
      else {
        const decoded = safeDecode(pathPart);
        target = decoded.startsWith("/") ? join(site, decoded) : resolve(dirname(page), decoded);
        if (target !== site && !target.startsWith(site + sep)) {
          report("points outside the site");
          continue;
        }
        if (existsSync(target) && statSync(target).isDirectory()) target = join(target, "index.html");
      }
      if (!existsSync(target)) {
        report(`target ${relative(site, target)} does not exist`);
        continue;
      }
      if (fragment === undefined || fragment === "" || fragment === "top") continue;
      if (!MARKUP.has(extname(target).toLowerCase())) continue; // fragments of other files (e.g. PDF pages) are not checked
      // typedoc's hierarchy page builds its tree (and the anchors in it) with a script at load time
      if (/<script[^>]*hierarchy/i.test(readFileSync(target, "utf8").slice(0, 4000)) && relative(site, target) === "hierarchy.html") continue;
      if (!anchorsOf(target).has(fragment)) report(`no element with id or name "${fragment}" in ${relative(site, target)}`);
    }
  }
}

if (broken.length) {
  console.error(`Broken internal links (${broken.length}) in ${relative(process.cwd(), site) || "."}:`);
  for (const b of broken) console.error(`- ${b.page}:${b.line}  ${b.link}\n    ${b.why}`);
  console.error(`${pages.length} pages, ${checked} internal links checked, ${external} external links not checked.`);
  process.exit(1);
}
console.log(`No broken internal links: ${pages.length} pages, ${checked} internal links checked, ${external} external links not checked.`);
