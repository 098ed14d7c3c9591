#!/usr/bin/env node
import { createRequire as __cr } from 'node:module';
import { fileURLToPath as __f2p } from 'node:url';
const require = __cr(import.meta.url);
const __filename = __f2p(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));
import {
  changedSelection
} from "./chunk-QRGNMJOW.js";
import {
  summaryLines
} from "./chunk-XGTTT5KZ.js";
import {
  checkDags
} from "./chunk-WLET6FW2.js";
import {
  VERSION
} from "./chunk-2E57LOES.js";
import {
  judge,
  present
} from "./chunk-EFR3PT74.js";
import "./chunk-M5DZTYN6.js";
import "./chunk-SQYA2VGU.js";
import "./chunk-MGNN7A3E.js";
import {
  countBySeverity
} from "./chunk-3P7JFNUS.js";
import "./chunk-VYGZMEHB.js";
import {
  cacheRoot
} from "./chunk-KI6M5PBK.js";
import {
  loadSettings
} from "./chunk-534TERUE.js";
import "./chunk-ZBQHUFCK.js";
import {
  connectDocker
} from "./chunk-544YBR7N.js";
import "./chunk-PICL6GY7.js";
import {
  redact,
  terminalLogger
} from "./chunk-MSPDIVQH.js";
import "./chunk-PKJVO3JP.js";
import "./chunk-M5D5RXX2.js";
import "./chunk-FFWHJTTK.js";
import {
  airflowImage,
  baselinePath
} from "./chunk-O4JILTWT.js";
import "./chunk-VTW57CTW.js";
import "./chunk-DDMSHZPD.js";
import "./chunk-NJNJ5BY3.js";
import "./chunk-HHFAD5KM.js";
import "./chunk-4L3VKM7L.js";
import {
  reasonOf
} from "./chunk-EDJIWXRY.js";

// cli/pr-comment.ts
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

// src/report/comment.ts
var ICON = { error: "\u274C", warning: "\u26A0\uFE0F", note: "\u2139\uFE0F", ok: "\u2705" };
var RANK = { error: 0, warning: 1, note: 2, ok: 3 };
function renderComment(input) {
  const redact2 = redactor(input.secrets);
  const byFile = /* @__PURE__ */ new Map();
  for (const f of input.findings) byFile.set(f.file, [...byFile.get(f.file) ?? [], f]);
  const worst = (path2) => (byFile.get(path2) ?? []).reduce((w, f) => RANK[f.severity] < RANK[w] ? f.severity : w, "ok");
  const paths = [.../* @__PURE__ */ new Set([...input.files.map((f) => f.path), ...byFile.keys()])];
  const rows = paths.map((path2) => ({ path: path2, status: worst(path2), file: input.files.find((f) => f.path === path2) })).sort((a, b) => RANK[a.status] - RANK[b.status] || a.path.localeCompare(b.path));
  const limit = input.limit ?? 50;
  const counts = countBySeverity(input.findings);
  const lines = [
    input.marker,
    `### ${input.passed ? "\u2705" : "\u274C"} ${input.title}`,
    `${counts.error} error(s), ${counts.warning} warning(s), ${counts.note} note(s) in ${paths.length} file(s)`,
    "",
    "| | file | DAGs | import | first finding |",
    "| --- | --- | --- | --- | --- |",
    ...rows.slice(0, limit).map(({ path: path2, status, file }) => {
      const first = (byFile.get(path2) ?? []).sort((a, b) => RANK[a.severity] - RANK[b.severity])[0];
      const dags = file ? file.dags.map((d) => `\`${d.dag_id}\``).join(" ") || "-" : "-";
      const seconds = file ? `${file.import_seconds.toFixed(2)}s` : "-";
      const finding = first ? `${first.rule}${first.line ? ` (line ${first.line})` : ""}: ${first.message.split("\n")[0].slice(0, 160)}` : "";
      return `| ${ICON[status]} | \`${path2}\` | ${dags} | ${seconds} | ${cell(redact2(finding))} |`;
    })
  ];
  if (rows.length > limit) lines.push("", `${rows.length - limit} more file(s): see the job summary or the SARIF report`);
  return lines.join("\n");
}
function redactor(secrets) {
  const known = [...new Set(secrets.filter((s) => s.length >= 4))].sort((a, b) => b.length - a.length);
  return (text) => {
    let out = redact(text);
    for (const s of known) out = out.split(s).join("***");
    return out.replace(/([a-z][a-z0-9+.-]*:\/\/)[^\s/@]+@/gi, "$1***@").replace(/\b(password|passwd|pwd|token|secret|api_key|apikey)(["']?\s*[:=]\s*["']?)[^\s,'"]+/gi, "$1$2***");
  };
}
var NOT_SECRET = /* @__PURE__ */ new Set(["conn_type", "port", "description"]);
function stringsOf(value) {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(stringsOf);
  if (value && typeof value === "object") return Object.entries(value).flatMap(([k, v]) => NOT_SECRET.has(k) ? [] : stringsOf(v));
  return [];
}
var cell = (s) => s.replace(/\|/g, "\\|").replace(/`/g, "'").replace(/\r?\n/g, " ");

// cli/pr-comment.ts
var wantsComment = (flag, env = process.env) => Boolean(flag) || env.DAGSHIP_PR_COMMENT === "true";
async function commentOnPullRequest(title, outcome, files, options, log, env = process.env, fetchImpl = fetch) {
  const pr = pullRequestOf(env);
  if (!pr) {
    log.info("no pull request comment: this run is not for a pull request");
    return;
  }
  const token = env.DAGSHIP_GITHUB_TOKEN || env.GITHUB_TOKEN;
  if (!token) {
    log.warn("no pull request comment: pass github-token (or set GITHUB_TOKEN) with pull-requests: write");
    return;
  }
  const key = [env.GITHUB_WORKFLOW, env.GITHUB_JOB, env.DAGSHIP_COMMENT_KEY].filter(Boolean).join(" / ");
  const marker = `<!-- dagship-comment: ${key.replace(/--/g, "- -")} -->`;
  const body = renderComment({ title, marker, passed: outcome.passed, files, findings: outcome.runs.flatMap((r) => r.findings), secrets: secretsOf(options, env, token) });
  try {
    const api = github(env.GITHUB_API_URL ?? "https://api.github.com", token, fetchImpl);
    const existing = await api.findComment(pr.repository, pr.number, marker);
    if (existing) await api.send("PATCH", `/repos/${pr.repository}/issues/comments/${existing}`, { body });
    else await api.send("POST", `/repos/${pr.repository}/issues/${pr.number}/comments`, { body });
    log.info(`${existing ? "updated" : "wrote"} the dagship comment on pull request #${pr.number} (${key})`);
  } catch (err) {
    log.warn(`could not write the pull request comment: ${reasonOf(err)}`);
  }
}
function pullRequestOf(env) {
  if (!env.GITHUB_EVENT_PATH || !env.GITHUB_REPOSITORY || !existsSync(env.GITHUB_EVENT_PATH)) return void 0;
  let event;
  try {
    event = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, "utf8"));
  } catch {
    return void 0;
  }
  const number = event?.pull_request?.number;
  return number ? { repository: env.GITHUB_REPOSITORY, number } : void 0;
}
function secretsOf(options, env, token) {
  const files = [options.check.variables, options.check.connections].flatMap((f) => f ? [path.resolve(options.root, f)] : []);
  const values = files.flatMap((f) => {
    try {
      return stringsOf(JSON.parse(readFileSync(f, "utf8")));
    } catch {
      return [];
    }
  });
  return [...values, token, env.DAGSHIP_REGISTRY_PASSWORD ?? "", ...(env.DAGSHIP_SIGNING_KEY ?? "").split("\n")];
}
function github(base, token, fetchImpl) {
  const headers = { authorization: `Bearer ${token}`, accept: "application/vnd.github+json", "x-github-api-version": "2022-11-28", "user-agent": "dagship" };
  const call = async (method, url, body) => {
    const response = await fetchImpl(url.startsWith("http") ? url : `${base}${url}`, { method, headers: { ...headers, ...body ? { "content-type": "application/json" } : {} }, body: body && JSON.stringify(body), signal: AbortSignal.timeout(3e4) });
    if (!response.ok) throw new Error(`GitHub answered ${response.status} to ${method} ${new URL(response.url || base).pathname}`);
    return response;
  };
  return {
    send: (method, url, body) => call(method, url, body),
    /** Walks every page: a busy pull request has more than one page of comments. */
    async findComment(repository, number, marker) {
      let next = `/repos/${repository}/issues/${number}/comments?per_page=100`;
      while (next) {
        const response = await call("GET", next);
        const comments = await response.json();
        const mine = comments.find((c) => c.body?.startsWith(marker));
        if (mine) return mine.id;
        next = /<([^>]+)>;\s*rel="next"/.exec(response.headers.get("link") ?? "")?.[1];
      }
      return void 0;
    }
  };
}

// cli/commands/check.ts
async function check(repoPath, flags) {
  const options = loadSettings(repoPath, flags);
  if (flags.attest) return (await import("./chunk-LZTTZXM4.js")).checkAndAttest(options, flags);
  const image = airflowImage(options, flags.image);
  const log = terminalLogger(Boolean(flags.verbose));
  const started = Date.now();
  const selection = await changedSelection(options, flags.changedSince, log);
  const cacheDir = flags.cache === false ? void 0 : cacheRoot();
  const { run, result } = await checkDags({ options, image, files: selection?.dags, dagshipVersion: VERSION, cacheDir }, connectDocker(), log);
  const outcome = judge([run], { root: options.root, failOn: options.fail_on, baseline: baselinePath(options) });
  const code = await present(outcome, {
    title: "dagship check",
    reports: flags.reports,
    summary: summaryLines(result, image, Date.now() - started),
    json: { airflow_version: result.airflow_version, image, files: result.files, timings: result.timings }
  });
  if (wantsComment(flags.prComment)) await commentOnPullRequest("dagship check", outcome, result.files, options, log);
  return code;
}
export {
  check
};
