// "Send this browser's traffic through QuietPage": chrome.proxy, off by default, with the
// optional "proxy" permission the options page asks for in the person's click.
import { permissions, proxy } from "./browser.js";
import { Problem } from "./service.js";
import { getSettings, parseProxyAddress, saveProxy } from "./settings.js";

// A name no DNS answers (RFC 2606): only a proxy can answer it.
const PROBE = "http://quietpage-check.invalid/";

export async function proxyStatus() {
  const { proxyAddress, proxyEnabled } = await getSettings();
  const granted = await permissions.has("proxy");
  let control = null;
  if (granted && proxy.available()) control = (await proxy.get()).levelOfControl;
  return { proxyAddress, proxyEnabled: proxyEnabled && granted, granted, control };
}

export async function setProxy({ enabled, address }) {
  const parsed = parseProxyAddress(address);
  if (parsed.error) throw new Problem("bad-address", parsed.error, "");
  if (!(await permissions.has("proxy"))) {
    throw new Problem("no-permission", "QuietPage was not allowed to set the browser's proxy.",
      "Switch it on again and choose Allow when the browser asks.");
  }
  if (enabled) {
    await proxy.setFixed(parsed.host, parsed.port);
  } else {
    await proxy.clear();
  }
  await saveProxy(address.trim(), enabled);
  return enabled ? checkProxy() : { ok: true, enabled: false };
}

/** Whether the browser's requests now go through a proxy this extension set. */
export async function checkProxy() {
  const { control } = await proxyStatus();
  if (control && control !== "controlled_by_this_extension") {
    const why = control === "controlled_by_other_extensions" ? "another extension sets the browser's proxy"
      : "the proxy is fixed by a policy or a command-line option (--proxy-server)";
    return { ok: false, message: `QuietPage cannot route this browser: ${why}.`,
             fix: "Remove that setting, or point it at QuietPage's proxy address yourself." };
  }
  try {
    await fetch(PROBE, { mode: "no-cors", cache: "no-store", signal: AbortSignal.timeout(8000) });
  } catch {
    return { ok: false, message: "Requests do not reach QuietPage's proxy.",
             fix: "Start it with `quietpage run` and check the proxy address (the one it prints)." };
  }
  return { ok: true, enabled: true, message: "This browser's traffic goes through QuietPage's proxy." };
}
