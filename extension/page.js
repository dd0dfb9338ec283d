// What the popup shows and changes for one tab: the page report, the switches for its
// site, the pause, the reading copy, the picker.
import { extensionUrl, scripting, tabs } from "./browser.js";
import { MSG } from "./messages.js";
import { Problem, asProblem, call, health, notPaired, refused } from "./service.js";
import { getSettings } from "./settings.js";

/** The site a switch is written for: the host without a leading "www." (covers its subdomains). */
export function siteOf(host) {
  return host.replace(/^www\./, "");
}

async function webPageOf(tabId) {
  const tab = await tabs.get(tabId);
  if (!tab.url) {
    throw new Problem("no-access", "QuietPage cannot see this tab's address.",
      "Open the popup from the toolbar button while the page is in front.");
  }
  const url = new URL(tab.url);
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new Problem("not-web", "This tab is not a web page.", "QuietPage works on http and https pages.");
  }
  return { tab, url };
}

/** Everything the popup needs, or as much of it as could be learned, with the problem in words. */
export async function pageState({ tabId }) {
  const { token, address } = await getSettings();
  const state = { address, paired: Boolean(token), reachable: false, version: null, problem: null, page: null,
                  rules: null, report: null, reportMissing: false };
  try {
    const { tab, url } = await webPageOf(tabId);
    state.page = { url: tab.url, host: url.hostname, site: siteOf(url.hostname), title: tab.title ?? "" };
  } catch (error) {
    state.problem = asProblem(error);
    return state;
  }
  try {
    state.version = (await health()).version;
    state.reachable = true;
    if (!token) throw notPaired();
    const report = await call("GET", `/api/page-report?url=${encodeURIComponent(state.page.url)}`);
    if (report.status === 200) state.report = report.body;
    else if (report.status === 404) state.reportMissing = true;
    else throw refused("send the page report", report);
    // An adblock list's rules are not all listed (there are tens of thousands): ask for the
    // ones that fired on this page, so each gets its switch.
    const fired = [...Object.keys(state.report?.removed ?? {}), ...Object.keys(state.report?.skipped ?? {}),
      ...Object.values(state.report?.also ?? {}).flat()];
    const ids = fired.length ? `&ids=${encodeURIComponent(fired.join(","))}` : "";
    const listing = await call("GET", `/api/rules?site=${encodeURIComponent(state.page.host)}${ids}`);
    if (listing.status !== 200) throw refused("list the rules", listing);
    state.rules = listing.body;
  } catch (error) {
    state.problem = asProblem(error);
  }
  return state;
}

async function write(what, method, path, body) {
  const answer = await call(method, path, { body });
  if (answer.status !== 200 && answer.status !== 201) throw refused(what, answer);
  return answer.body;
}

export const setRule = ({ id, enabled, site }) =>
  write("switch the rule", "PUT", `/api/rules/${encodeURIComponent(id)}`, site ? { enabled, site } : { enabled });

export const setPack = ({ id, enabled, site }) =>
  write("switch the pack", "PUT", `/api/packs/${encodeURIComponent(id)}`, site ? { enabled, site } : { enabled });

export const setPaused = ({ site, paused }) =>
  write(paused ? "pause the site" : "resume the site", "PUT", `/api/sites/${encodeURIComponent(site)}`, { paused });

export const reloadTab = ({ tabId }) => tabs.reload(tabId);

function captureDocument() {
  return { url: location.href, title: document.title, html: document.documentElement.outerHTML };
}

/** The page's current DOM to the service's library: POST /api/articles {url, html}. */
export async function saveReadingCopy({ tabId }) {
  await webPageOf(tabId);
  const captured = await scripting.runFunction(tabId, captureDocument);
  const answer = await call("POST", "/api/articles", { body: { url: captured.url, html: captured.html } });
  if (answer.status === 200 || answer.status === 201) {
    const { address } = await getSettings();
    const article = answer.body?.article ?? answer.body ?? {};
    return { title: article.title || captured.title, link: article.id != null ? `${address}/articles/${article.id}` : null,
      images: answer.body?.images ?? null };
  }
  if (answer.status === 404) {
    throw new Problem("no-library", "Not saved: this QuietPage service has no reading-copy library yet " +
      "(it answered 404 to POST /api/articles).", "Update QuietPage to a version with the library, then try again.",
      { status: 404, detail: answer.body?.detail ?? "" });
  }
  if (answer.status === 413) {
    throw new Problem("too-large", "Not saved: the page is larger than the service accepts in one request.",
      answer.body?.detail ?? "", { status: 413, detail: answer.body?.detail ?? "" });
  }
  throw refused("save the reading copy", answer);
}

/** The picker into the page: the message names first (content scripts are not modules), then the script. */
export async function startPicker({ tabId }) {
  await webPageOf(tabId);
  const { token } = await getSettings();
  if (!token) throw notPaired();
  await scripting.runFunction(tabId, (names) => { globalThis.quietpageMessages = names; }, [MSG]);
  await scripting.runFile(tabId, "picker.js");
  return { started: true };
}

/** From the picker: a user rule for the sender's site. The site comes from the tab, not the message. */
export async function createUserRule({ title, selector }, sender) {
  if (!sender.tab?.url) throw new Problem("no-access", "The picker is not in a tab QuietPage can see.", "");
  const site = siteOf(new URL(sender.tab.url).hostname);
  const body = await write("save the rule", "POST", "/api/rules", { site, title, selector });
  return { rule: body.rule, site, optionsUrl: extensionUrl("options.html") };
}
