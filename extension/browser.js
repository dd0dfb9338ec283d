// The only module that calls the browser's extension API. A Firefox port swaps this file
// (`browser.*` is promise-based there too; chrome.proxy becomes browser.proxy.settings).
const ext = globalThis.browser ?? globalThis.chrome;

export const local = {
  get: (keys) => ext.storage.local.get(keys),
  set: (items) => ext.storage.local.set(items),
  remove: (keys) => ext.storage.local.remove(keys),
};

// Lost when the browser closes: a pairing in progress, never the token.
export const session = {
  get: (keys) => ext.storage.session.get(keys),
  set: (items) => ext.storage.session.set(items),
  remove: (keys) => ext.storage.session.remove(keys),
};

export function onMessage(handler) {
  // The handler returns a promise; `true` keeps the channel open until it settles.
  ext.runtime.onMessage.addListener((message, sender, sendResponse) => {
    Promise.resolve(handler(message, sender)).then(sendResponse, (error) =>
      sendResponse({ ok: false, problem: { title: "QuietPage's extension failed.", detail: String(error?.message ?? error) } }));
    return true;
  });
}

export const sendMessage = (message) => ext.runtime.sendMessage(message);

/** A message to every open extension page; nobody listening is fine. */
export function broadcast(message) {
  ext.runtime.sendMessage(message).catch(() => {});
}

export const onConnect = (handler) => ext.runtime.onConnect.addListener(handler);
export const connect = (name) => ext.runtime.connect({ name });
export const onStartup = (handler) => ext.runtime.onStartup.addListener(handler);
export const openOptionsPage = () => ext.runtime.openOptionsPage();
export const extensionUrl = (path) => ext.runtime.getURL(path);

export const tabs = {
  get: (tabId) => ext.tabs.get(tabId),
  reload: (tabId) => ext.tabs.reload(tabId, { bypassCache: true }),
  active: async () => (await ext.tabs.query({ active: true, currentWindow: true }))[0],
  /** `handler()` each time the tab finishes loading (no "tabs" permission needed for status). */
  onLoaded: (tabId, handler) => ext.tabs.onUpdated.addListener((id, change) => {
    if (id === tabId && change.status === "complete") handler();
  }),
};

export const scripting = {
  runFunction: async (tabId, func, args = []) =>
    (await ext.scripting.executeScript({ target: { tabId }, func, args }))[0]?.result,
  runFile: (tabId, file) => ext.scripting.executeScript({ target: { tabId }, files: [file] }),
};

export const permissions = {
  has: (name) => ext.permissions.contains({ permissions: [name] }),
  // Must be called from a page, inside the person's click.
  request: (name) => ext.permissions.request({ permissions: [name] }),
};

export const proxy = {
  get: () => ext.proxy.settings.get({ incognito: false }),
  setFixed: (host, port) => ext.proxy.settings.set({
    scope: "regular",
    value: { mode: "fixed_servers", rules: { singleProxy: { scheme: "http", host, port }, bypassList: ["<local>"] } },
  }),
  clear: () => ext.proxy.settings.clear({ scope: "regular" }),
  available: () => Boolean(ext.proxy?.settings),
};

// Chromium now has a `browser` global too: ask the browser what it is.
export const browserName = () => (typeof ext.runtime.getBrowserInfo === "function" ? "Firefox" : "Chromium");

/** For pages: hear broadcasts (never answer them, so the service worker's answer wins). */
export function onBroadcast(handler) {
  ext.runtime.onMessage.addListener((message) => {
    handler(message);
    return false;
  });
}
