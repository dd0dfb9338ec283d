// The client of QuietPage's local service. Every failure becomes a Problem: what went
// wrong and the way out, in words a person can act on.
import { getSettings } from "./settings.js";

const TIMEOUT_MS = 8000;

export class Problem extends Error {
  /** kind: unreachable | unpaired | revoked | refused | not-quietpage */
  constructor(kind, title, fix, { status = 0, detail = "", action = null } = {}) {
    super(title);
    this.kind = kind;
    this.title = title;
    this.fix = fix;
    this.status = status;
    this.detail = detail;
    this.action = action; // "retry" | "options"
  }

  toJSON() {
    return { kind: this.kind, title: this.title, fix: this.fix, status: this.status, detail: this.detail,
             action: this.action };
  }
}

export const notRunning = (address) => new Problem("unreachable",
  `QuietPage's service is not answering at ${address}.`,
  "Start it with `quietpage run` (or check the service address in Options), then try again.",
  { action: "retry" });

export const notPaired = () => new Problem("unpaired",
  "This browser is not paired with QuietPage yet.",
  "Pair it in Options: it shows a code to approve with `quietpage pair CODE`.", { action: "options" });

export const tokenRevoked = (detail) => new Problem("revoked",
  "QuietPage no longer accepts this browser's token: it was revoked, or the service uses another data folder.",
  "Pair again in Options.", { status: 401, detail, action: "options" });

/**
 * One call to the service. `auth: false` for the routes that need no token.
 * Resolves to {status, body}; rejects with a Problem when the service cannot be reached,
 * the token is missing or refused. Other statuses are the caller's to judge.
 */
export async function call(method, path, { body, auth = true, signal, headers = {} } = {}) {
  const { address, token } = await getSettings();
  if (auth && !token) throw notPaired();
  const init = { method, headers: { ...headers }, signal: signal ?? AbortSignal.timeout(TIMEOUT_MS), cache: "no-store" };
  if (auth) init.headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(address + path, init);
  } catch (error) {
    if (error?.name === "AbortError" && !signal) throw notRunning(address);
    if (signal?.aborted) throw error;
    throw notRunning(address);
  }
  if (response.status === 401 && auth) {
    throw tokenRevoked(await detailOf(response));
  }
  let parsed = null;
  const text = await response.text();
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    throw new Problem("not-quietpage", `Something other than QuietPage answers at ${address}.`,
      "Check the service address in Options: it is the one `quietpage run` prints.", { status: response.status });
  }
  return { status: response.status, body: parsed };
}

async function detailOf(response) {
  try {
    return (await response.json()).detail ?? "";
  } catch {
    return "";
  }
}

/** A refusal by the service in words (its JSON error carries a detail). */
export function refused(what, answer) {
  const detail = answer.body?.detail ?? "";
  return new Problem("refused", `The service did not ${what} (it answered ${answer.status}${
    answer.body?.error ? ` ${answer.body.error}` : ""}).`, detail, { status: answer.status, detail });
}

export async function health() {
  const answer = await call("GET", "/api/health", { auth: false });
  if (answer.status !== 200 || answer.body?.status !== "ok") {
    const { address } = await getSettings();
    throw new Problem("not-quietpage", `Something other than QuietPage answers at ${address}.`,
      "Check the service address in Options: it is the one `quietpage run` prints.", { status: answer.status });
  }
  return answer.body;
}

export function asProblem(error) {
  if (error instanceof Problem) return error.toJSON();
  return { kind: "error", title: "QuietPage's extension failed.", fix: "", detail: String(error?.message ?? error) };
}
