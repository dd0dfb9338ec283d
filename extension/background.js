// The service worker: the one owner of state. It talks to the service and to storage;
// the popup, the options page and the picker only send it messages (messages.js).
import { onMessage } from "./browser.js";
import { changeAddress, connectionStatus } from "./connection.js";
import { listenForPopups } from "./events.js";
import { MSG } from "./messages.js";
import { createUserRule, pageState, reloadTab, saveReadingCopy, setPack, setPaused, setRule, startPicker } from "./page.js";
import { cancelPairing, resumePairing, startPairing, unpair } from "./pairing.js";
import { checkProxy, proxyStatus, setProxy } from "./proxyswitch.js";
import { asProblem } from "./service.js";

const handlers = {
  [MSG.GET_STATUS]: connectionStatus,
  [MSG.SAVE_ADDRESS]: changeAddress,
  [MSG.FORGET_TOKEN]: unpair,
  [MSG.PAIR_START]: startPairing,
  [MSG.PAIR_CANCEL]: cancelPairing,
  [MSG.PAGE_STATE]: pageState,
  [MSG.SET_RULE]: setRule,
  [MSG.SET_PACK]: setPack,
  [MSG.SET_PAUSED]: setPaused,
  [MSG.RELOAD_TAB]: reloadTab,
  [MSG.SAVE_READING_COPY]: saveReadingCopy,
  [MSG.START_PICKER]: startPicker,
  [MSG.CREATE_USER_RULE]: createUserRule,
  [MSG.PROXY_STATUS]: proxyStatus,
  [MSG.PROXY_SET]: setProxy,
  [MSG.PROXY_CHECK]: checkProxy,
};

// Every answer is {ok: true, ...result} or {ok: false, problem}; nothing fails silently.
onMessage(async (message, sender) => {
  const handler = handlers[message?.type];
  if (!handler) return undefined; // a broadcast, not a request
  try {
    return { ok: true, ...((await handler(message, sender)) ?? {}) };
  } catch (error) {
    return { ok: false, problem: asProblem(error) };
  }
});

listenForPopups();
resumePairing();
