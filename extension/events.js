// Live updates: while a popup is open, read the service's event stream (/api/events) with
// fetch(), which, unlike EventSource, can send the token, and tell the popup of every change.
import { onConnect } from "./browser.js";
import { MSG } from "./messages.js";
import { asProblem, call } from "./service.js";
import { getSettings } from "./settings.js";

const RETRY_MS = 2000;
const ports = new Set();
let stream = null; // AbortController of the running stream
let lastId = "";

export function listenForPopups() {
  onConnect((port) => {
    if (port.name !== MSG.EVENTS_PORT) return;
    ports.add(port);
    port.onMessage.addListener(() => {}); // KEEPALIVE pings keep the service worker awake
    port.onDisconnect.addListener(() => {
      ports.delete(port);
      if (ports.size === 0) stop();
    });
    if (!stream) run();
  });
}

function tell(message) {
  for (const port of ports) port.postMessage(message);
}

function stop() {
  stream?.abort();
  stream = null;
}

async function run() {
  const controller = new AbortController();
  stream = controller;
  while (stream === controller && ports.size) {
    try {
      await readStream(controller.signal);
    } catch (error) {
      if (controller.signal.aborted) return;
      tell({ type: MSG.SERVICE_CHANGED, live: false, problem: asProblem(error) });
    }
    await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
  }
}

async function readStream(signal) {
  const headers = { Accept: "text/event-stream" };
  if (lastId) headers["Last-Event-ID"] = lastId;
  // call() only opens it; the body is read here, piece by piece.
  const response = await openStream(headers, signal);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value.replace(/\r\n?/g, "\n");
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      handle(buffer.slice(0, end));
      buffer = buffer.slice(end + 2);
    }
  }
}

async function openStream(headers, signal) {
  const { address, token } = await getSettings();
  if (!token) {
    await call("GET", "/api/events"); // throws the "not paired" problem
  }
  let response;
  try {
    response = await fetch(`${address}/api/events`, { headers: { ...headers, Authorization: `Bearer ${token}` }, signal,
                                                        cache: "no-store" });
  } catch (error) {
    if (signal.aborted) throw error;
    await call("GET", "/api/health", { auth: false }); // throws "not running" in words
    throw error;
  }
  if (!response.ok) {
    response.body?.cancel();
    await call("GET", "/api/rules"); // throws the token problem in words if that is it
    throw new Error(`the event stream answered ${response.status}`);
  }
  return response;
}

function handle(block) {
  let event = "message";
  let id = null;
  const data = [];
  for (const line of block.split("\n")) {
    if (!line || line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "event") event = value;
    else if (field === "id") id = value;
    else if (field === "data") data.push(value);
  }
  if (id) lastId = id;
  if (event === "hello") tell({ type: MSG.SERVICE_CHANGED, live: true, hello: true });
  if (event === "change") {
    let change = null;
    try {
      change = JSON.parse(data.join("\n"));
    } catch { /* a change without a body still means: look again */ }
    tell({ type: MSG.SERVICE_CHANGED, live: true, revision: change?.revision ?? Number(id) });
  }
}
