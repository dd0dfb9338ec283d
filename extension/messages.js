// Every message between the popup, the options page, the picker and the service worker.
// The service worker is the one owner of state; the pages only ask and show.
export const MSG = Object.freeze({
  // settings and connection
  GET_STATUS: "get-status",
  SAVE_ADDRESS: "save-address",
  FORGET_TOKEN: "forget-token",
  // pairing
  PAIR_START: "pair-start",
  PAIR_CANCEL: "pair-cancel",
  PAIRING_CHANGED: "pairing-changed", // broadcast by the service worker
  // the popup
  PAGE_STATE: "page-state",
  SET_RULE: "set-rule",
  SET_PACK: "set-pack",
  SET_PAUSED: "set-paused",
  RELOAD_TAB: "reload-tab",
  SAVE_READING_COPY: "save-reading-copy",
  START_PICKER: "start-picker",
  // the picker (content script)
  CREATE_USER_RULE: "create-user-rule",
  // the routing switch
  PROXY_STATUS: "proxy-status",
  PROXY_SET: "proxy-set",
  PROXY_CHECK: "proxy-check",
  // live updates: a port of this name carries SERVICE_CHANGED from the service's event stream
  EVENTS_PORT: "quietpage-events",
  SERVICE_CHANGED: "service-changed",
  KEEPALIVE: "keepalive",
});
