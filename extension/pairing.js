// Pairing: ask the service for a code, let the person approve it with `quietpage pair CODE`,
// poll until the token comes, keep it. Progress is broadcast as PAIRING_CHANGED.
import { broadcast, browserName } from "./browser.js";
import { MSG } from "./messages.js";
import { call, health, refused } from "./service.js";
import { clearPendingPairing, forgetToken, getPendingPairing, savePendingPairing, saveToken } from "./settings.js";

const POLL_MS = 1000;
let polling = null; // the id of the request being polled

export async function startPairing() {
  await health();
  const client = `QuietPage extension in ${browserName()} (${navigator.platform || "this computer"})`;
  const answer = await call("POST", "/api/pair", { auth: false, body: { client: client.slice(0, 100) } });
  if (answer.status !== 201) throw refused("start pairing", answer);
  const pairing = { id: answer.body.id, code: answer.body.code, expiresAt: answer.body.expires_at, status: "pending" };
  await savePendingPairing(pairing);
  pollUntilDone(pairing.id);
  return pairing;
}

export async function cancelPairing() {
  polling = null;
  await clearPendingPairing();
  broadcast({ type: MSG.PAIRING_CHANGED, status: "cancelled" });
}

/** After the service worker restarts, carry on with a pairing that was waiting. */
export async function resumePairing() {
  const pairing = await getPendingPairing();
  if (pairing) pollUntilDone(pairing.id);
}

async function pollUntilDone(id) {
  if (polling === id) return;
  polling = id;
  while (polling === id) {
    let outcome;
    try {
      outcome = await pollOnce(id);
    } catch (problem) {
      // The service went away for a moment: say so, keep waiting.
      broadcast({ type: MSG.PAIRING_CHANGED, status: "pending", problem: problem?.toJSON?.() ?? String(problem) });
      outcome = null;
    }
    if (outcome) {
      polling = null;
      await clearPendingPairing();
      broadcast({ type: MSG.PAIRING_CHANGED, ...outcome });
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

async function pollOnce(id) {
  const answer = await call("GET", `/api/pair/${encodeURIComponent(id)}`, { auth: false });
  if (answer.status === 404) return { status: "expired", detail: "The service no longer knows this request." };
  if (answer.status !== 200) throw refused("answer the pairing poll", answer);
  const { status, token } = answer.body;
  if (status === "approved" && token) {
    await saveToken(token);
    return { status: "paired" };
  }
  if (status === "expired") return { status: "expired", detail: "The code expired before it was approved." };
  if (status === "claimed") return { status: "expired", detail: answer.body.detail ?? "The token was handed out already." };
  return null;
}

export async function unpair() {
  await forgetToken();
  broadcast({ type: MSG.PAIRING_CHANGED, status: "unpaired" });
}
