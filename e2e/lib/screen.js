// Find elements the way a person does: by role and accessible name, by label,
// by visible text. The app's Content-Security-Policy forbids eval, so DOM
// Testing Library cannot be injected into the window; instead one small
// self-contained function runs in the page through WebDriver's execute and
// returns the matching elements. Query names follow Testing Library's.

// Runs inside the app's web page. Must not reference anything outside itself.
function pageQuery(kind, text, flags, role, level, root, scoped) {
  // A scoped query whose element has left the page (WebDriver hands it over
  // as null) must not quietly search the whole window instead.
  if (scoped && !root?.isConnected)
    throw new Error("The element searched in is no longer on the page");
  const norm = (s) => (s ?? "").replace(/\s+/g, " ").trim();
  const matches = (value) => {
    const v = norm(value);
    return flags === null ? v === text : new RegExp(text, flags).test(v);
  };
  const visible = (el) =>
    el.getClientRects().length > 0 && !el.closest("[hidden],[aria-hidden='true']");

  const implicitRole = (el) => {
    const tag = el.tagName.toLowerCase();
    const type = (el.getAttribute("type") || "text").toLowerCase();
    switch (tag) {
      case "button":
        return "button";
      case "summary":
        return "button";
      case "a":
        return el.hasAttribute("href") ? "link" : null;
      case "h1":
      case "h2":
      case "h3":
      case "h4":
      case "h5":
      case "h6":
        return "heading";
      case "textarea":
        return "textbox";
      case "select":
        return el.multiple || el.size > 1 ? "listbox" : "combobox";
      case "option":
        return "option";
      case "ul":
      case "ol":
        return "list";
      case "li":
        return "listitem";
      case "table":
        return "table";
      case "tr":
        return "row";
      case "th":
        return el.closest("thead") || el.getAttribute("scope") === "col"
          ? "columnheader"
          : "rowheader";
      case "td":
        return "cell";
      case "thead":
      case "tbody":
      case "tfoot":
        return "rowgroup";
      case "dialog":
        return "dialog";
      case "nav":
        return "navigation";
      case "main":
        return "main";
      case "form":
        return "form";
      case "fieldset":
        return "group";
      case "output":
        return "status";
      case "progress":
        return "progressbar";
      case "img":
        return "img";
      case "section":
        return el.hasAttribute("aria-label") || el.hasAttribute("aria-labelledby")
          ? "region"
          : null;
      case "input":
        if (["button", "submit", "reset", "image"].includes(type)) return "button";
        if (type === "checkbox") return "checkbox";
        if (type === "radio") return "radio";
        if (type === "number") return "spinbutton";
        if (type === "range") return "slider";
        if (type === "search") return "searchbox";
        if (["text", "email", "tel", "url"].includes(type)) return "textbox";
        return null;
      default:
        return null;
    }
  };
  const roleOf = (el) => {
    const explicit = el.getAttribute("role");
    return explicit ? explicit.split(/\s+/)[0] : implicitRole(el);
  };
  const textOf = (el) => norm(el.textContent);
  const byIds = (ids) =>
    ids
      .split(/\s+/)
      .map((id) => document.getElementById(id))
      .filter(Boolean)
      .map(textOf)
      .join(" ");
  const labelsOf = (el) => {
    const out = [];
    if (el.labels) for (const l of el.labels) out.push(textOf(l));
    return out.join(" ");
  };
  const nameOf = (el) => {
    const lb = el.getAttribute("aria-labelledby");
    if (lb) return norm(byIds(lb));
    const al = el.getAttribute("aria-label");
    if (al) return norm(al);
    const tag = el.tagName.toLowerCase();
    if (["input", "select", "textarea"].includes(tag)) {
      const t = labelsOf(el);
      if (t) return norm(t);
      if (["button", "submit", "reset"].includes(el.type)) return norm(el.value);
      return norm(el.getAttribute("title") || el.getAttribute("placeholder") || "");
    }
    if (tag === "img") return norm(el.getAttribute("alt"));
    if (tag === "fieldset") {
      const legend = el.querySelector(":scope > legend");
      return legend ? textOf(legend) : "";
    }
    if (tag === "table") {
      const caption = el.querySelector(":scope > caption");
      return caption ? textOf(caption) : "";
    }
    return textOf(el) || norm(el.getAttribute("title") || "");
  };
  const ownText = (el) =>
    norm(
      Array.from(el.childNodes)
        .filter((n) => n.nodeType === Node.TEXT_NODE)
        .map((n) => n.textContent)
        .join(""),
    );

  const scope = root || document.body;
  const all = Array.from(scope.querySelectorAll("*")).filter(visible);

  if (kind === "role") {
    return all.filter((el) => {
      if (roleOf(el) !== role) return false;
      if (level !== null) {
        const lvl = el.getAttribute("aria-level") || el.tagName.slice(1);
        if (Number(lvl) !== level) return false;
      }
      return text === null || matches(nameOf(el));
    });
  }
  if (kind === "text") {
    return all.filter((el) => !["SCRIPT", "STYLE"].includes(el.tagName) && matches(ownText(el)));
  }
  // kind === "label": controls whose label, aria-label or aria-labelledby matches.
  return all.filter((el) => {
    const tag = el.tagName.toLowerCase();
    const labelled =
      ["input", "select", "textarea"].includes(tag) ||
      el.hasAttribute("aria-label") ||
      el.hasAttribute("aria-labelledby");
    if (!labelled) return false;
    const lb = el.getAttribute("aria-labelledby");
    if (lb && matches(byIds(lb))) return true;
    const al = el.getAttribute("aria-label");
    if (al && matches(al)) return true;
    const t = labelsOf(el);
    return t !== "" && matches(t);
  });
}

const DEFAULT_TIMEOUT = 20000;

function describe(kind, text, role) {
  const what = text === null ? "" : ` "${text}"`;
  return kind === "role" ? `role ${role}${what}` : `${kind}${what}`;
}

function makeScreen(browser, root) {
  async function queryAll(kind, matcher, role = null, level = null) {
    let text = null;
    let flags = null;
    if (matcher instanceof RegExp) {
      text = matcher.source;
      flags = matcher.flags;
    } else if (matcher !== undefined && matcher !== null) {
      text = String(matcher);
    }
    const found = await browser.execute(
      pageQuery,
      kind,
      text,
      flags,
      role,
      level,
      root ?? null,
      !!root,
    );
    // WebdriverIO may already wrap returned nodes as elements.
    return Promise.all(found.map((ref) => (ref?.elementId ? ref : browser.$(ref))));
  }

  async function waitFor(kind, matcher, role, level, timeout, wantOne) {
    let last = [];
    const label = describe(kind, matcher === undefined ? null : String(matcher), role);
    await browser.waitUntil(
      async () => {
        last = await queryAll(kind, matcher, role, level);
        return last.length > 0;
      },
      { timeout: timeout ?? DEFAULT_TIMEOUT, timeoutMsg: `Nothing found with ${label}` },
    );
    if (wantOne && last.length > 1) {
      throw new Error(`Found ${last.length} elements with ${label}; expected one`);
    }
    return wantOne ? last[0] : last;
  }

  const roleArgs = (opts = {}) => [opts.name, opts.level ?? null];
  return {
    queryAllByRole: (role, opts) => {
      const [name, level] = roleArgs(opts);
      return queryAll("role", name, role, level);
    },
    findByRole: (role, opts, wait = {}) => {
      const [name, level] = roleArgs(opts);
      return waitFor("role", name, role, level, wait.timeout, true);
    },
    findAllByRole: (role, opts, wait = {}) => {
      const [name, level] = roleArgs(opts);
      return waitFor("role", name, role, level, wait.timeout, false);
    },
    findByText: (text, _opts, wait = {}) => waitFor("text", text, null, null, wait.timeout, true),
    queryAllByText: (text) => queryAll("text", text),
    findByLabelText: (text, _opts, wait = {}) =>
      waitFor("label", text, null, null, wait.timeout, true),
    findAllByLabelText: (text, _opts, wait = {}) =>
      waitFor("label", text, null, null, wait.timeout, false),
    queryAllByLabelText: (text) => queryAll("label", text),
  };
}

/** Queries over the whole window. */
export function setupBrowser(browser) {
  return makeScreen(browser, null);
}

/** Queries inside one element. */
export function within(element) {
  return makeScreen(browser, element);
}

/**
 * Replaces an input's value as a person would: select all, delete, type.
 * WebKitWebDriver's clear sets the value without an input event, so a
 * controlled input keeps its own and the typed text is added to it.
 */
export async function replaceValue(el, text) {
  await el.click();
  await browser.keys(["Control", "a"]);
  await browser.keys(["Backspace"]);
  await el.addValue(text);
}

/** "1,234 records" above the results table, as a number. */
export async function recordCount(screen) {
  const p = await screen.findByText(/^[\d,]+ records?$/, {}, { timeout: 90000 });
  return Number((await p.getText()).replace(/\D/g, ""));
}
