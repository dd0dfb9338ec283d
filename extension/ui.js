// Helpers the popup and the options page share: ask the service worker, show a problem.
// Text from the service or a page only ever goes in as textContent.
import { sendMessage } from "./browser.js";

/** Ask the service worker; always resolves to {ok, ...} or {ok: false, problem}. */
export async function ask(type, payload = {}) {
  try {
    const answer = await sendMessage({ type, ...payload });
    return answer ?? { ok: false, problem: { title: "QuietPage's extension did not answer.", fix: "Reload the extension." } };
  } catch (error) {
    return { ok: false, problem: { title: "QuietPage's extension did not answer.", fix: "Reload the extension.",
                                   detail: String(error?.message ?? error) } };
  }
}

export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "text") node.textContent = value;
    else if (key === "class") node.className = value;
    else if (key in node && typeof value !== "string") node[key] = value;
    else node.setAttribute(key, value === true ? "" : value);
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

/** Inline `code` spans from text like "start it with `quietpage run`", as text nodes only. */
export function withCode(text) {
  const out = [];
  String(text ?? "").split(/(`[^`]+`)/).forEach((part) => {
    if (part.startsWith("`") && part.endsWith("`") && part.length > 2) out.push(el("code", { text: part.slice(1, -1) }));
    else if (part) out.push(document.createTextNode(part));
  });
  return out;
}

/** A problem in words: what went wrong, the way out, and the service's own detail. */
export function problemNodes(problem) {
  const nodes = [el("p", { class: "problem-title" }, ...withCode(problem.title))];
  if (problem.fix) nodes.push(el("p", { class: "problem-fix" }, ...withCode(problem.fix)));
  if (problem.detail && problem.detail !== problem.fix) {
    nodes.push(el("p", { class: "problem-detail", text: `The service said: ${problem.detail}` }));
  }
  return nodes;
}
