// The element picker, injected on demand by the service worker (after it sets
// globalThis.quietpageMessages). Everything lives in one function scope and one
// shadow root; Escape removes all of it.
(() => {
  if (globalThis.quietpagePickerActive) {
    globalThis.quietpagePickerActive.focus();
    return;
  }
  const MSG = globalThis.quietpageMessages;
  const ext = globalThis.browser ?? globalThis.chrome;

  // --- selectors that survive a reload --------------------------------------------------------

  const HASHED = [
    /^(css|sc|jsx|emotion|styled|svelte|astro|tw|chakra|mui|makeStyles)-/i,
    /^_/, // CSS modules
    /[0-9a-f]{6,}/i, // hex hashes
    /\d{3,}/, // numbers of an article, a date, a counter
    /__(?=[A-Za-z_-]*\d)[A-Za-z0-9_-]{5}$/, // name__a1b2c (a hash has a digit; BEM's block__title has none)
    /^(is|has)-(hover|hovered|active|focus|focused|selected|open|visible|sticky)/,
  ];
  const stableName = (name) => name.length > 0 && name.length <= 40 && !name.startsWith(":") &&
    !HASHED.some((re) => re.test(name)) && !/^(ember|react|ng-|yui_)/.test(name);

  const count = (selector) => {
    try {
      return document.querySelectorAll(selector).length;
    } catch {
      return Infinity;
    }
  };

  /** Candidates for one element alone: its id, then its tag with one or two stable classes. */
  function ownSelectors(node) {
    const out = [];
    const tag = node.localName;
    if (node.id && stableName(node.id)) out.push(`#${CSS.escape(node.id)}`);
    const classes = [...node.classList].filter(stableName);
    for (const c of classes) out.push(`${tag}.${CSS.escape(c)}`);
    for (let i = 0; i < classes.length; i++) {
      for (let j = i + 1; j < classes.length; j++) out.push(`${tag}.${CSS.escape(classes[i])}.${CSS.escape(classes[j])}`);
    }
    return out;
  }

  const best = (candidates) => candidates
    .map((selector) => ({ selector, n: count(selector) }))
    .filter((c) => c.n >= 1 && c.n !== Infinity)
    .sort((a, b) => a.n - b.n || a.selector.length - b.selector.length)[0];

  /** The shortest stable selector that finds `node`; as few others as it can. */
  function selectorFor(node) {
    const own = best(ownSelectors(node));
    if (own && own.n === 1) return own.selector;
    // Narrow by a stable ancestor (a few levels up, no nth-child chains).
    let ancestor = node.parentElement;
    for (let depth = 0; ancestor && ancestor !== document.documentElement && depth < 4; depth++) {
      const anchors = ownSelectors(ancestor);
      const mine = own ? [own.selector] : [node.localName];
      const scoped = best(anchors.flatMap((a) => mine.map((m) => `${a} ${m}`)));
      if (scoped && scoped.n === 1) return scoped.selector;
      ancestor = ancestor.parentElement;
    }
    if (own) return own.selector;
    // Last resort: a short positional path under the nearest stable ancestor.
    const steps = [];
    let current = node;
    while (current && current.parentElement && steps.length < 3) {
      const anchor = best(ownSelectors(current));
      if (anchor && anchor.n === 1) {
        steps.unshift(anchor.selector);
        return steps.join(" > ");
      }
      const same = [...current.parentElement.children].filter((c) => c.localName === current.localName);
      steps.unshift(same.length > 1 ? `${current.localName}:nth-of-type(${same.indexOf(current) + 1})` : current.localName);
      current = current.parentElement;
    }
    return steps.join(" > ");
  }

  function suggestedTitle(node, selector) {
    const heading = node.querySelector("h1, h2, h3, h4, h5, h6, [class*='title'], [class*='heading']");
    const label = (node.getAttribute("aria-label") || heading?.textContent || node.textContent || "")
      .replace(/\s+/g, " ").trim().slice(0, 50);
    return label ? `Hide “${label}” (${selector})`.slice(0, 120) : `Hide ${selector}`.slice(0, 120);
  }

  // --- the overlay ---------------------------------------------------------------------------

  const host = document.createElement("quietpage-picker");
  host.style.cssText = "all: initial; position: fixed; inset: 0; z-index: 2147483647; pointer-events: none;";
  const root = host.attachShadow({ mode: "open" });
  const style = document.createElement("style");
  style.textContent = `
    * { box-sizing: border-box; }
    .outline { position: fixed; border: 2px solid #e01b24; background: rgba(224, 27, 36, 0.12); pointer-events: none;
      border-radius: 2px; display: none; }
    .panel { position: fixed; right: 12px; bottom: 12px; width: 380px; max-width: calc(100vw - 24px);
      pointer-events: auto; background: #fff; color: #1e1e1e; font: 14px/1.4 system-ui, sans-serif;
      border: 1px solid #888; border-radius: 6px; padding: 10px 12px; box-shadow: 0 4px 18px rgba(0,0,0,.25); }
    h2 { font-size: 15px; margin: 0 0 4px; }
    p { margin: 4px 0; }
    code, output { font: 13px ui-monospace, monospace; background: #eee; padding: 1px 4px; border-radius: 3px;
      word-break: break-all; }
    label { display: block; margin-top: 6px; }
    input { width: 100%; font: inherit; padding: 3px 5px; margin-top: 2px; }
    .row { display: flex; gap: 6px; margin-top: 8px; flex-wrap: wrap; }
    button { font: inherit; padding: 3px 10px; cursor: pointer; }
    button.primary { background: #1a5fb4; color: #fff; border: 1px solid #1a5fb4; border-radius: 3px; }
    :focus-visible { outline: 2px solid #1a5fb4; outline-offset: 2px; }
    .bad { color: #a51d2d; }
    .ok { color: #26a269; }
  `;
  const outline = document.createElement("div");
  outline.className = "outline";
  const panel = document.createElement("div");
  panel.className = "panel";
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-label", "QuietPage: hide an element");

  const make = (tag, props = {}, ...children) => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(props)) {
      if (k === "text") node.textContent = v;
      else node.setAttribute(k, v);
    }
    node.append(...children);
    return node;
  };
  const help = make("p", { text: "Point at what to hide and click it. ↑ widens to the surrounding element, ↓ narrows " +
    "back, ← → step to the neighbours. Escape leaves." });
  const selectorOut = make("output", { "aria-label": "Selector" });
  const matches = make("span");
  const titleInput = make("input", { type: "text", maxlength: "200", id: "title" });
  const titleLabel = make("label", { for: "title", text: "Rule title" }, titleInput);
  const wider = make("button", { type: "button", text: "Wider ↑" });
  const narrower = make("button", { type: "button", text: "Narrower ↓" });
  const create = make("button", { type: "button", class: "primary", text: "Create rule" });
  const cancel = make("button", { type: "button", text: "Cancel" });
  const status = make("p", { role: "status", "aria-live": "polite" });
  panel.append(make("h2", { text: "Hide an element" }), help,
    make("p", {}, document.createTextNode("Selector: "), selectorOut),
    make("p", {}, matches), titleLabel, make("div", { class: "row" }, wider, narrower, create, cancel), status);
  root.append(style, outline, panel);
  document.documentElement.append(host);

  // --- state ---------------------------------------------------------------------------------

  let current = null; // the element the rule would be for
  let locked = false; // after a click or a key, the pointer no longer moves the choice
  const narrowBack = []; // what "narrower" returns to
  let titleEdited = false;
  let selector = "";

  const pageElement = (node) => node && node !== host && node.nodeType === 1 && node !== document.documentElement &&
    node !== document.body && !host.contains(node);

  function choose(node, { lock = locked } = {}) {
    if (!pageElement(node)) return;
    current = node;
    locked = lock;
    selector = selectorFor(node);
    const n = count(selector);
    selectorOut.textContent = selector;
    matches.textContent = n === 1 ? "Matches 1 element on this page." : `Matches ${n} elements on this page.`;
    if (!titleEdited) titleInput.value = suggestedTitle(node, selector);
    draw();
  }

  function draw() {
    if (!current) return;
    const r = current.getBoundingClientRect();
    Object.assign(outline.style, { display: "block", left: `${r.left}px`, top: `${r.top}px`, width: `${r.width}px`,
                                   height: `${r.height}px` });
  }

  function widen() {
    if (current && pageElement(current.parentElement)) {
      narrowBack.push(current);
      choose(current.parentElement, { lock: true });
    }
  }

  function narrow() {
    const back = narrowBack.pop() ?? current?.firstElementChild;
    if (back) choose(back, { lock: true });
  }

  function step(forward) {
    const next = forward ? current?.nextElementSibling : current?.previousElementSibling;
    if (next) {
      narrowBack.length = 0;
      choose(next, { lock: true });
    }
  }

  // --- events --------------------------------------------------------------------------------

  const inPicker = (event) => event.composedPath().includes(host);

  function onMove(event) {
    if (locked || inPicker(event)) return;
    narrowBack.length = 0;
    choose(document.elementFromPoint(event.clientX, event.clientY));
  }

  function onClick(event) {
    if (inPicker(event)) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    narrowBack.length = 0;
    choose(document.elementFromPoint(event.clientX, event.clientY) ?? event.target, { lock: true });
    create.focus();
  }

  function swallow(event) {
    if (!inPicker(event)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }

  function onKey(event) {
    if (event.key === "Escape") {
      event.preventDefault();
      event.stopImmediatePropagation();
      leave();
      return;
    }
    const typing = event.composedPath().includes(titleInput);
    if (typing) {
      if (event.key === "Enter") {
        event.preventDefault();
        save();
      }
      event.stopPropagation(); // the page's own shortcuts do not see what is typed here
      return;
    }
    const keys = { ArrowUp: widen, ArrowDown: narrow, ArrowLeft: () => step(false), ArrowRight: () => step(true) };
    if (keys[event.key]) {
      event.preventDefault();
      event.stopImmediatePropagation();
      keys[event.key]();
    }
  }

  titleInput.addEventListener("input", () => { titleEdited = true; });
  wider.addEventListener("click", widen);
  narrower.addEventListener("click", narrow);
  cancel.addEventListener("click", leave);
  create.addEventListener("click", save);

  const listeners = [["mousemove", onMove], ["click", onClick], ["mousedown", swallow], ["mouseup", swallow],
                     ["keydown", onKey], ["scroll", draw], ["resize", draw]];
  for (const [type, fn] of listeners) window.addEventListener(type, fn, true);

  function leave() {
    for (const [type, fn] of listeners) window.removeEventListener(type, fn, true);
    host.remove();
    delete globalThis.quietpagePickerActive;
    delete globalThis.quietpageMessages;
  }

  async function save() {
    if (!current || !selector) {
      status.className = "bad";
      status.textContent = "Choose an element first: point at it and click, or use the arrow keys.";
      return;
    }
    const title = titleInput.value.trim();
    if (!title) {
      status.className = "bad";
      status.textContent = "Give the rule a title: it is how you will find it in the popup.";
      titleInput.focus();
      return;
    }
    create.disabled = true;
    status.className = "";
    status.textContent = "Saving the rule…";
    let answer;
    try {
      answer = await ext.runtime.sendMessage({ type: MSG.CREATE_USER_RULE, title, selector });
    } catch (error) {
      answer = { ok: false, problem: { title: "QuietPage's extension did not answer.", fix: "Reload the page and try again." } };
    }
    create.disabled = false;
    if (!answer?.ok) {
      const p = answer?.problem ?? {};
      status.className = "bad";
      status.textContent = [p.title, p.fix, p.detail && p.detail !== p.fix ? `The service said: ${p.detail}` : ""]
        .filter(Boolean).join(" ");
      return;
    }
    const hidden = [...document.querySelectorAll(selector)].filter((n) => !host.contains(n));
    for (const node of hidden) node.style.setProperty("display", "none", "important");
    leave();
    flash(`QuietPage: saved “${title}” for ${answer.site}. ${hidden.length} element${hidden.length === 1 ? "" : "s"} hidden.`);
  }

  /** A short confirmation after the picker is gone; it removes itself. */
  function flash(text) {
    const note = document.createElement("quietpage-note");
    note.setAttribute("role", "status");
    note.style.cssText = "all: initial; position: fixed; right: 12px; bottom: 12px; z-index: 2147483647; " +
      "background: #1e1e1e; color: #fff; font: 14px system-ui, sans-serif; padding: 8px 12px; border-radius: 6px;";
    note.textContent = text;
    document.documentElement.append(note);
    setTimeout(() => note.remove(), 4000);
  }

  globalThis.quietpagePickerActive = { focus: () => create.focus() };

  // Start where a keyboard user is, or in the middle of the view.
  const start = document.activeElement && pageElement(document.activeElement) ? document.activeElement
    : document.elementFromPoint(innerWidth / 2, innerHeight / 3);
  choose(start);
  wider.focus();
})();
