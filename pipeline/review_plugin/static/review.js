// newsmine review: the login and logout pages, and corrections on the article page.
// The write token lives in this tab's sessionStorage, which is per origin (scheme, host and
// port): a page on another port of 127.0.0.1 cannot read it, and it is never a cookie, which
// every port of 127.0.0.1 would receive. It is sent as `Authorization: Bearer` with each post.
// Article page (only with a token in this tab): a click on a highlight opens a menu (not an
// entity / change label / open entity page); selecting text opens a menu to add it as PER,
// LOC or ORG. Corrections are POSTed as JSON to /-/newsmine/corrections; the page reloads to
// show the result.
(function () {
  "use strict";
  const TOKEN_KEY = "newsmine_token";
  const NAME_KEY = "newsmine_reviewer";

  // a path on this server, else "/" (the server checks `next` too)
  function localPath(next) {
    try {
      const url = new URL(next, window.location.origin);
      return url.origin === window.location.origin ? url.pathname + url.search + url.hash : "/";
    } catch (err) {
      return "/";
    }
  }

  const loginForm = document.getElementById("newsmine-login");
  if (loginForm) {
    const error = document.getElementById("login-error");
    loginForm.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const token = loginForm.elements.token.value.trim();
      error.hidden = true;
      try {
        const resp = await fetch(loginForm.action, {
          method: "POST", credentials: "omit",
          headers: { "content-type": "application/json", authorization: "Bearer " + token },
          body: JSON.stringify({ name: loginForm.elements.name.value, next: loginForm.elements.next.value }),
        });
        const data = await resp.json().catch(() => ({ error: resp.statusText }));
        if (!resp.ok || !data.ok) throw new Error(data.error || String(resp.status));
        sessionStorage.setItem(TOKEN_KEY, token);
        sessionStorage.setItem(NAME_KEY, data.reviewer);
        window.location.replace(localPath(data.next));
      } catch (err) {
        error.textContent = err instanceof TypeError ? "could not log in: " + err.message : err.message;
        error.hidden = false;
      }
    });
  }

  const logoutForm = document.getElementById("newsmine-logout");
  if (logoutForm) {
    logoutForm.addEventListener("submit", () => {
      sessionStorage.removeItem(TOKEN_KEY);
      sessionStorage.removeItem(NAME_KEY);
    });
  }

  const token = sessionStorage.getItem(TOKEN_KEY);
  const reviewer = sessionStorage.getItem(NAME_KEY) || "reviewer";
  const LABELS = ["PER", "LOC", "ORG"];
  const NAMES = { PER: "person", LOC: "place", ORG: "organisation" };
  const root = document.getElementById("article-text");
  const menu = document.getElementById("review-menu");
  const status = document.getElementById("review-status");
  const article = document.querySelector(".newsmine-article");
  if (!token || !root || !menu || !article) return;
  const articleId = Number(article.dataset.articleId);
  const endpoint = article.dataset.correctionsUrl;
  document.getElementById("review-name").textContent = reviewer;
  document.getElementById("review-hint").hidden = false;
  document.getElementById("review-login").hidden = true;

  // Offsets in the stored text count code points; JS strings count UTF-16 units.
  const codePoints = (s) => Array.from(s).length;

  function offsetOf(node, offset) {
    // character offset in the article text of (node, offset) inside #article-text
    let el = node.nodeType === Node.TEXT_NODE ? node.parentElement : node;
    if (el === root) {
      const child = root.childNodes[Math.min(offset, root.childNodes.length - 1)];
      if (!child) return null;
      const start = Number(child.dataset.o);
      return offset >= root.childNodes.length ? start + codePoints(child.textContent) : start;
    }
    while (el && el.parentElement !== root) el = el.parentElement;
    if (!el || el.dataset.o === undefined) return null;
    if (node.nodeType !== Node.TEXT_NODE) return Number(el.dataset.o) + (offset > 0 ? codePoints(el.textContent) : 0);
    return Number(el.dataset.o) + codePoints(node.data.slice(0, offset));
  }

  function say(message, isError) {
    status.textContent = message;
    status.classList.toggle("error", !!isError);
  }

  function hide() { menu.hidden = true; menu.replaceChildren(); }

  function show(x, y, title, items) {
    menu.replaceChildren();
    const head = document.createElement("div");
    head.className = "title";
    head.textContent = title;
    menu.appendChild(head);
    for (const [text, action, cls] of items) {
      const b = document.createElement(action ? "button" : "a");
      b.textContent = text;
      if (cls) b.className = cls;
      if (typeof action === "function") { b.type = "button"; b.addEventListener("click", action); }
      else if (typeof action === "string") { b.href = action; }
      menu.appendChild(b);
    }
    // open below the pointer, or above it when there is no room below; always inside the viewport
    menu.style.left = window.scrollX + "px";
    menu.style.top = window.scrollY + "px";
    menu.hidden = false;
    const gap = 8, width = menu.offsetWidth, height = menu.offsetHeight;
    const viewWidth = document.documentElement.clientWidth, viewHeight = window.innerHeight;
    const left = Math.max(gap, Math.min(x, viewWidth - width - gap));
    let top = y + gap;
    if (top + height > viewHeight - gap) top = y - height - gap;
    top = Math.max(gap, Math.min(top, viewHeight - height - gap));
    menu.style.left = window.scrollX + left + "px";
    menu.style.top = window.scrollY + top + "px";
  }

  async function send(start, end, text, label) {
    hide();
    say("saving…");
    try {
      const resp = await fetch(endpoint, {
        method: "POST", credentials: "omit",
        headers: { "content-type": "application/json", authorization: "Bearer " + token,
                   "x-newsmine-reviewer": encodeURIComponent(reviewer) },
        body: JSON.stringify({ article_id: articleId, start, end, text, label }),
      });
      const data = await resp.json().catch(() => ({ error: resp.statusText }));
      if (resp.status === 403) {  // the token stopped working (the server was restarted): log in again
        sessionStorage.removeItem(TOKEN_KEY);
        say("not saved: " + (data.error || resp.status) + " (log in again)", true);
        return;
      }
      if (!resp.ok || !data.ok) { say("not saved: " + (data.error || resp.status), true); return; }
      say("saved correction " + data.correction.id);
      window.location.reload();
    } catch (err) {
      say("not saved: " + err, true);
    }
  }

  root.addEventListener("click", (ev) => {
    const a = ev.target.closest("a.ent");
    if (!a || a.dataset.label === "MONEY") return;
    ev.preventDefault();
    const start = Number(a.dataset.start), end = Number(a.dataset.end), text = a.textContent;
    const items = [["not an entity (wrong)", () => send(start, end, text, null), "review-delete"]];
    for (const label of LABELS) {
      if (label !== a.dataset.label) {
        items.push(["change to " + label + " (" + NAMES[label] + ")", () => send(start, end, text, label),
                    "review-relabel-" + label]);
      }
    }
    if (a.getAttribute("href")) items.push(["open entity page", a.getAttribute("href")]);
    items.push(["cancel", hide]);
    show(ev.clientX, ev.clientY, a.dataset.label + ": " + text, items);
  });

  root.addEventListener("mouseup", (ev) => {
    const sel = window.getSelection();
    if (!sel || sel.isCollapsed || sel.rangeCount === 0) return;
    const range = sel.getRangeAt(0);
    if (!root.contains(range.startContainer) || !root.contains(range.endContainer)) return;
    let start = offsetOf(range.startContainer, range.startOffset);
    let end = offsetOf(range.endContainer, range.endOffset);
    if (start === null || end === null || end <= start) return;
    let text = sel.toString();
    // trim whitespace the selection took along (spans never start or end with it)
    const lead = text.length - text.trimStart().length, trail = text.length - text.trimEnd().length;
    text = text.trim();
    start += codePoints(sel.toString().slice(0, lead));
    end -= trail ? codePoints(sel.toString().slice(-trail)) : 0;
    if (!text || end <= start) return;
    const items = LABELS.map((label) => ["add as " + label + " (" + NAMES[label] + ")",
      () => send(start, end, text, label), "review-add-" + label]);
    items.push(["cancel", hide]);
    show(ev.clientX, ev.clientY, "„" + text + "“", items);
  });

  document.addEventListener("keydown", (ev) => { if (ev.key === "Escape") hide(); });
})();
