// The popup: UI only. It asks the service worker for the page's state and sends it the
// person's changes; live updates come over a port (the service's event stream).
import { connect, openOptionsPage, tabs } from "./browser.js";
import { MSG } from "./messages.js";
import { ask, el, problemNodes, withCode } from "./ui.js";

const $ = (id) => document.getElementById(id);
let tabId = null;
let state = null;

async function main() {
  const wanted = Number(new URLSearchParams(location.search).get("tab"));
  tabId = Number.isInteger(wanted) && wanted > 0 ? wanted : (await tabs.active())?.id;
  $("options").addEventListener("click", () => openOptionsPage());
  $("reload").addEventListener("click", reloadPage);
  $("pause").addEventListener("change", (event) => {
    const paused = event.target.checked;
    change(event.target, MSG.SET_PAUSED, { site: state.page.site, paused });
  });
  $("pick").addEventListener("click", startPicker);
  $("save").addEventListener("click", saveReadingCopy);
  tabs.onLoaded(tabId, refresh);
  listen();
  await refresh();
}

let asked = 0;

async function refresh() {
  const mine = ++asked;
  const answer = await ask(MSG.PAGE_STATE, { tabId });
  if (mine !== asked || pending > 0) return; // a newer answer is coming
  state = answer.page === undefined ? { ...answer, page: null } : answer;
  render();
  document.body.dataset.ready = "true"; // for tests: the first answer is shown
}

// --- rendering -----------------------------------------------------------------------------

function render() {
  const page = state.page;
  $("page-host").textContent = page ? page.host : "";
  renderState();
  renderProblem(state.problem);
  const usable = Boolean(page && state.rules);
  for (const id of ["pause", "pick", "save"]) $(id).disabled = !usable;
  $("pause").checked = Boolean(state.rules?.paused);
  renderRemoved();
  renderPacks();
}

function renderState() {
  const lines = [];
  if (state.paired) lines.push("Paired with QuietPage.");
  else lines.push("Not paired with QuietPage.");
  if (state.reachable) lines.push(`The service is running${state.version ? ` (QuietPage ${state.version})` : ""}.`);
  else if (state.problem?.kind === "unreachable") lines.push("The service is not running.");
  if (state.rules) lines.push(pageWords());
  $("state").replaceChildren(...lines.map((line) => el("li", { text: line })));
}

function pageWords() {
  const report = state.report;
  if (state.rules?.paused) {
    return "QuietPage is paused on this site: its pages come through untouched.";
  }
  if (!report) {
    return "QuietPage has not cleaned this page since it started. If you loaded it before QuietPage started, reload it; " +
      "if this stays, this browser's traffic is not going through QuietPage's proxy (see Options).";
  }
  const total = Object.values(report.removed ?? {}).reduce((a, b) => a + b, 0);
  switch (report.status) {
    case "cleaned":
      return `This page was cleaned: ${total} element${total === 1 ? "" : "s"} removed.`;
    case "unchanged":
      return "This page went through QuietPage; nothing on it matched a rule.";
    case "paused":
      return "This page came through untouched: QuietPage was paused on this site when it loaded.";
    case "error":
      return `Cleaning failed on this page, so the original was shown${report.reason ? `: ${report.reason}` : "."}`;
    default:
      return `This page went through QuietPage untouched${report.reason ? `: ${report.reason}` : "."}`;
  }
}

function renderProblem(problem) {
  const box = $("problem");
  if (!problem) {
    box.hidden = true;
    box.replaceChildren();
    return;
  }
  const nodes = problemNodes(problem);
  if (problem.action === "retry") {
    nodes.push(el("button", { type: "button", text: "Try again", onclick: refresh }));
  } else if (problem.action === "options") {
    nodes.push(el("button", { type: "button", text: "Open Options", onclick: () => openOptionsPage() }));
  }
  box.replaceChildren(...nodes);
  box.hidden = false;
}

function allRules() {
  const byId = new Map();
  state.listPacks = new Set();
  for (const pack of state.rules?.packs ?? []) {
    if (pack.adblock) state.listPacks.add(pack.id);
    for (const rule of pack.rules) byId.set(rule.id, rule);
  }
  return byId;
}

function renderRemoved() {
  const list = $("removed");
  const report = state.report;
  const rules = allRules();
  const items = [];
  if (report) {
    const removed = Object.entries(report.removed ?? {}).sort((a, b) => b[1] - a[1]);
    for (const [id, count] of removed) {
      // Other rules matched what this one removed: switching it off alone leaves it to them.
      const others = (report.also?.[id] ?? []).map((other) => rules.get(other)?.title ?? other);
      items.push(el("li", {},
        ruleName(rules.get(id), id),
        el("span", { class: "count", text: ` — ${count} removed` }),
        others.length ? el("div", { class: "also" },
          el("span", { text: `Also taken by ${others.length === 1 ? "another rule" : `${others.length} other rules`}; `
            + "switch those off too to bring it back: " }),
          ...others.map((title, i) => el("span", { class: "rule-title", text: `${i ? ", " : ""}${title}` }))) : null));
    }
    for (const [id, reason] of Object.entries(report.skipped ?? {})) {
      items.push(el("li", { class: "skipped" },
        ruleName(rules.get(id), id),
        el("span", { class: "count", text: ` — skipped to keep the article: ${reason}` })));
    }
  }
  if (!items.length) items.push(el("li", { class: "quiet", text: report ? "Nothing." : "No report for this page." }));
  list.replaceChildren(...items);
}

/** A rule as a person reads it: its title, or for an adblock list's rule its filter, whole. */
function ruleName(rule, id) {
  if (rule && state.listPacks.has(rule.pack)) return el("code", { class: "filter", title: id, text: rule.title });
  return el("span", { class: "rule-title", text: rule?.title ?? id });
}

function switchInput({ key, checked, label, onChange }) {
  const input = el("input", { type: "checkbox", role: "switch", checked, "data-key": key });
  if (label) input.setAttribute("aria-label", label);
  input.addEventListener("change", () => onChange(input));
  return input;
}

function renderPacks() {
  const focused = document.activeElement?.dataset?.key;
  const box = $("packs");
  const fired = new Set(Object.keys(state.report?.removed ?? {}));
  const site = state.page?.site;
  const shown = []; // packs that did something here, or have a switch off, come first and open
  const folded = [];
  for (const pack of state.rules?.packs ?? []) {
    const here = pack.rules.filter((rule) => rule.in_scope_here);
    // An adblock list is listed whatever fired: its pack switches matter on every site.
    if (!here.length && !pack.adblock) continue;
    const onCount = here.filter((rule) => rule.enabled_here).length;
    const interesting = here.some((rule) => fired.has(rule.id) || !rule.enabled_here) || !pack.enabled_here;
    // The pack's own switches: "on here" named by the pack's title, "everywhere" by title + "everywhere".
    const packHere = el("div", { class: "pack-switch" },
      el("label", { class: "switch" },
        switchInput({ key: `pack:${pack.id}`, checked: pack.enabled_here,
          onChange: (input) => change(input, MSG.SET_PACK, { id: pack.id, enabled: input.checked, site }) }),
        el("span", { text: ` ${pack.title}` })),
      el("span", { class: "quiet", text: " — the whole pack on this site" }));
    const packEverywhere = el("div", { class: "pack-switch" },
      el("label", { class: "switch" },
        switchInput({ key: `pack-everywhere:${pack.id}`, checked: pack.enabled, label: `${pack.title} everywhere`,
          onChange: (input) => change(input, MSG.SET_PACK, { id: pack.id, enabled: input.checked }) }),
        el("span", { text: " everywhere" })),
      el("span", { class: "quiet", text: " — on every site" }));
    const rules = here.map((rule) => el("li", {},
      el("label", { class: "switch" },
        switchInput({ key: `rule:${rule.id}`, checked: rule.enabled_here, label: rule.title,
          onChange: (input) => change(input, MSG.SET_RULE, { id: rule.id, enabled: input.checked, site }) }),
        pack.adblock ? el("code", { class: "filter", text: rule.title }) : el("span", { text: ` ${rule.title}` })),
      fired.has(rule.id) ? el("span", { class: "count", text: ` (${state.report.removed[rule.id]} here)` }) : null));
    (interesting ? shown : folded).push(el("details", { class: "pack", open: interesting },
      el("summary", {}, el("span", { class: "pack-title", text: pack.title }),
        el("span", { class: "quiet", text: pack.adblock ? ` — adblock list of ${pack.rule_count} rules${
          here.length ? `; ${onCount} of the ${here.length} shown on here` : ""}` : ` — ${onCount} of ${here.length} on here` })),
      el("div", { class: "pack-switches" }, packHere, packEverywhere),
      el("ul", { class: "rules", "aria-label": `Rules of ${pack.title}` }, ...rules)));
  }
  const blocks = [...shown, ...folded];
  if (!blocks.length) blocks.push(el("p", { class: "quiet", text: state.rules ? "No rule applies to this site." : "—" }));
  box.replaceChildren(...blocks);
  if (focused) {
    const again = box.querySelector(`[data-key="${CSS.escape(focused)}"]`);
    if (again) {
      again.closest("details")?.setAttribute("open", "");
      again.focus();
    }
  }
}

// --- changes ---------------------------------------------------------------------------------

let pending = 0; // changes on their way to the service; a refresh meanwhile would show stale switches

async function change(input, type, payload) {
  pending += 1;
  document.body.dataset.pending = String(pending);
  input.setAttribute("aria-busy", "true");
  const answer = await ask(type, payload);
  input.removeAttribute("aria-busy");
  pending -= 1;
  if (!answer.ok) {
    input.checked = !input.checked;
    renderProblem(answer.problem);
  } else {
    renderProblem(null);
    $("reload-offer").hidden = false;
  }
  if (pending === 0) await refresh();
  document.body.dataset.pending = String(pending); // for tests: 0 once the popup shows the result
}

async function reloadPage() {
  const answer = await ask(MSG.RELOAD_TAB, { tabId });
  if (!answer.ok) {
    renderProblem(answer.problem);
    return;
  }
  $("reload-offer").hidden = true;
  say("Reloading the page…");
}

function say(text, ...nodes) {
  $("action-result").replaceChildren(el("p", {}, ...withCode(text), ...nodes));
}

async function startPicker() {
  const answer = await ask(MSG.START_PICKER, { tabId });
  if (!answer.ok) {
    $("action-result").replaceChildren(...problemNodes(answer.problem));
    return;
  }
  say("The picker is on the page: point at what to hide and click it (arrow keys widen or narrow, Escape leaves).");
  if (!new URLSearchParams(location.search).has("tab")) window.close(); // a real popup gets out of the way
}

async function saveReadingCopy() {
  say("Saving a reading copy…");
  const answer = await ask(MSG.SAVE_READING_COPY, { tabId });
  if (!answer.ok) {
    $("action-result").replaceChildren(...problemNodes(answer.problem));
    return;
  }
  const link = answer.link ? el("a", { href: answer.link, target: "_blank", rel: "noopener", text: "Open it in the library" }) : null;
  say(`Saved “${answer.title}”. ${imagesNotStored(answer.images)}`, link);
}

/** The article's images the copy is saved without: the service could not fetch them (its log says why). */
function imagesNotStored(images) {
  const total = images?.in_article ?? 0;
  const missing = total - (images?.stored ?? total);
  if (missing <= 0) return "";
  const why = "QuietPage's log says why";
  if (missing < total) return `${missing} of its ${total} images could not be fetched; the copy has the others (${why}). `;
  if (total === 1) return `Its image could not be fetched, so the copy has none (${why}). `;
  return `None of its ${total} images could be fetched, so the copy has none (${why}). `;
}

// --- live updates ----------------------------------------------------------------------------

function listen() {
  const port = connect(MSG.EVENTS_PORT);
  let timer = null;
  port.onMessage.addListener((message) => {
    if (message.type !== MSG.SERVICE_CHANGED) return;
    $("live").textContent = message.live ? "Live: changes made elsewhere show here." : "";
    if (message.hello) {
      if (state?.problem?.kind === "unreachable") refresh(); // the service is back
      return;
    }
    clearTimeout(timer);
    timer = setTimeout(refresh, 100);
  });
  setInterval(() => port.postMessage({ type: MSG.KEEPALIVE }), 20_000);
}

main();
