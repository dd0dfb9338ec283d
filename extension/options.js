// The options page: UI only. Settings, pairing and routing live in the service worker.
import { onBroadcast, permissions } from "./browser.js";
import { MSG } from "./messages.js";
import { ask, el, problemNodes, withCode } from "./ui.js";

const $ = (id) => document.getElementById(id);

async function main() {
  $("address-form").addEventListener("submit", saveAddress);
  $("check").addEventListener("click", showStatus);
  $("pair").addEventListener("click", startPairing);
  $("forget").addEventListener("click", forget);
  $("route").addEventListener("change", switchRouting);
  $("check-route").addEventListener("click", checkRouting);
  onBroadcast((message) => {
    if (message.type === MSG.PAIRING_CHANGED) pairingChanged(message);
  });
  await Promise.all([showStatus(), showRouting()]);
}

async function showStatus() {
  const status = await ask(MSG.GET_STATUS);
  if (!status.ok) {
    $("status").replaceChildren(...problemNodes(status.problem));
    return;
  }
  if (document.activeElement !== $("address")) $("address").value = status.address;
  const lines = [];
  if (status.reachable) lines.push(el("p", { class: "ok", text: `Connected to QuietPage ${status.version ?? ""} at ${status.address}.` }));
  if (status.paired && status.tokenOk) lines.push(el("p", { text: "This browser is paired." }));
  else if (!status.paired) lines.push(el("p", { text: "This browser is not paired yet." }));
  if (status.problem) lines.push(...problemNodes(status.problem));
  $("status").replaceChildren(...lines);
  $("forget").hidden = !status.paired;
  $("pair").textContent = status.paired ? "Pair again" : "Pair this browser";
  if (status.pairing) showCode(status.pairing);
  document.body.dataset.ready = "true";
}

async function saveAddress(event) {
  event.preventDefault();
  const answer = await ask(MSG.SAVE_ADDRESS, { address: $("address").value });
  if (!answer.ok) {
    $("status").replaceChildren(...problemNodes(answer.problem));
    return;
  }
  await showStatus();
}

// --- pairing ---------------------------------------------------------------------------------

async function startPairing() {
  $("pairing").replaceChildren(el("p", { text: "Asking the service for a code…" }));
  const answer = await ask(MSG.PAIR_START);
  if (!answer.ok) {
    $("pairing").replaceChildren(...problemNodes(answer.problem));
    return;
  }
  showCode(answer);
}

function showCode(pairing) {
  const cancel = el("button", { type: "button", text: "Cancel pairing", onclick: cancelPairing });
  const address = $("address").value;
  $("pairing").replaceChildren(
    el("p", { text: "Your code:" }),
    el("p", { class: "code-box", id: "pair-code", text: pairing.code }),
    el("p", {}, ...withCode(`Approve it in a terminal on this computer: \`quietpage pair ${pairing.code}\``)),
    el("p", {}, document.createTextNode("or on the service's own page: "),
      el("a", { href: `${address}/pair`, target: "_blank", rel: "noopener", text: `${address}/pair` })),
    el("p", { id: "pair-waiting", text: "Waiting for your approval… (the code is good for 10 minutes)" }),
    cancel);
}

async function cancelPairing() {
  await ask(MSG.PAIR_CANCEL);
}

async function forget() {
  await ask(MSG.FORGET_TOKEN);
  await showStatus();
}

function pairingChanged(message) {
  if (message.status === "paired") {
    $("pairing").replaceChildren(el("p", { class: "ok", text: "Paired. The token is stored in this browser." }));
    showStatus();
  } else if (message.status === "expired") {
    $("pairing").replaceChildren(el("p", { text: `Not paired: ${message.detail ?? "the code expired."}` }),
      el("p", { text: "Press “Pair this browser” to get a new code." }));
  } else if (message.status === "cancelled") {
    $("pairing").replaceChildren(el("p", { text: "Pairing cancelled." }));
  } else if (message.status === "unpaired") {
    $("pairing").replaceChildren(el("p", { text: "The token is forgotten. Pair again to use QuietPage here." }));
  } else if (message.status === "pending" && message.problem && $("pair-waiting")) {
    $("pair-waiting").replaceChildren(...withCode(`Still waiting; ${message.problem.title} ${message.problem.fix ?? ""}`));
  }
}

// --- routing ---------------------------------------------------------------------------------

async function showRouting() {
  const status = await ask(MSG.PROXY_STATUS);
  if (!status.ok) return;
  $("proxy-address").value = status.proxyAddress;
  $("route").checked = status.proxyEnabled;
}

async function switchRouting(event) {
  const on = event.target.checked;
  // The permission prompt needs this click, so it is asked here, not in the service worker.
  if (on && !(await permissions.has("proxy"))) {
    let granted = false;
    try {
      granted = await permissions.request("proxy");
    } catch (error) {
      granted = false;
    }
    if (!granted) {
      event.target.checked = false;
      $("route-result").replaceChildren(el("p", { text: "Routing stays off: the browser did not allow QuietPage to set its proxy." }));
      return;
    }
  }
  $("route-result").replaceChildren(el("p", { text: on ? "Switching routing on and checking it…" : "Switching routing off…" }));
  const answer = await ask(MSG.PROXY_SET, { enabled: on, address: $("proxy-address").value });
  if (!answer.ok) {
    event.target.checked = !on;
    $("route-result").replaceChildren(...problemNodes(answer.problem));
    return;
  }
  showCheck(answer, on ? null : "Routing is off: this browser connects directly again.");
}

async function checkRouting() {
  const answer = await ask(MSG.PROXY_CHECK);
  if (!answer.ok) {
    $("route-result").replaceChildren(...problemNodes(answer.problem));
    return;
  }
  showCheck(answer);
}

function showCheck(answer, text = null) {
  const nodes = [el("p", { class: answer.ok ? "ok" : "", text: text ?? answer.message })];
  if (answer.fix) nodes.push(el("p", {}, ...withCode(answer.fix)));
  $("route-result").replaceChildren(...nodes);
}

main();
