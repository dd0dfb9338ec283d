// The connection in one answer: service reachable, paired, token still good, pairing waiting.
import { asProblem, call, health } from "./service.js";
import { getPendingPairing, getSettings, parseAddress, saveAddress } from "./settings.js";
import { Problem } from "./service.js";

export async function connectionStatus() {
  const { address, token } = await getSettings();
  const status = { address, paired: Boolean(token), reachable: false, tokenOk: null, version: null,
                   pairing: await getPendingPairing(), problem: null };
  try {
    status.version = (await health()).version;
    status.reachable = true;
    if (token) {
      await call("GET", "/api/clients"); // 401 if the token was revoked
      status.tokenOk = true;
    }
  } catch (error) {
    status.problem = asProblem(error);
    if (status.problem.kind === "revoked") status.tokenOk = false;
  }
  return status;
}

export async function changeAddress({ address }) {
  const parsed = parseAddress(address);
  if (parsed.error) throw new Problem("bad-address", parsed.error, "");
  await saveAddress(parsed.address);
  return connectionStatus();
}
