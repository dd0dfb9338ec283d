// What the extension keeps: the service's address and token (local storage), a pairing
// in progress (session storage), the routing switch.
import { local, session } from "./browser.js";

export const DEFAULT_ADDRESS = "http://127.0.0.1:8765";
export const DEFAULT_PROXY = "127.0.0.1:8080";

export async function getSettings() {
  const stored = await local.get(["address", "token", "proxyAddress", "proxyEnabled"]);
  return {
    address: stored.address || DEFAULT_ADDRESS,
    token: stored.token || null,
    proxyAddress: stored.proxyAddress || DEFAULT_PROXY,
    proxyEnabled: Boolean(stored.proxyEnabled),
  };
}

/** The service's address as the host permission allows it (http://127.0.0.1:PORT), or an error in words. */
export function parseAddress(text) {
  let url;
  try {
    url = new URL(text.trim());
  } catch {
    return { error: `“${text}” is not an address; use the form ${DEFAULT_ADDRESS}.` };
  }
  if (url.protocol !== "http:" || url.hostname !== "127.0.0.1" || url.pathname !== "/" || url.search || url.hash) {
    return { error: `The service runs on this machine: use http://127.0.0.1:PORT (like ${DEFAULT_ADDRESS}).` };
  }
  return { address: `http://127.0.0.1:${url.port || "80"}` };
}

export function parseProxyAddress(text) {
  const match = /^\s*(127\.0\.0\.1|localhost|\[::1\]):(\d{1,5})\s*$/.exec(text);
  const port = match ? Number(match[2]) : 0;
  if (!match || port < 1 || port > 65535) {
    return { error: `Use the address \`quietpage run\` prints for its proxy, like ${DEFAULT_PROXY}.` };
  }
  return { host: match[1], port };
}

export const saveAddress = (address) => local.set({ address });
export const saveToken = (token) => local.set({ token });
export const forgetToken = () => local.remove(["token"]);
export const saveProxy = (proxyAddress, proxyEnabled) => local.set({ proxyAddress, proxyEnabled });

export async function getPendingPairing() {
  return (await session.get(["pairing"])).pairing ?? null;
}
export const savePendingPairing = (pairing) => session.set({ pairing });
export const clearPendingPairing = () => session.remove(["pairing"]);
