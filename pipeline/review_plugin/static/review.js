// newsmine review: record corrections from the article page (loaded only for the reviewer).
// A click on a highlight opens a menu (not an entity / change label / open entity page);
// selecting text opens a menu to add it as PER, LOC or ORG. Corrections are POSTed as JSON
// to /-/newsmine/corrections with Datasette's CSRF token in the x-csrftoken header (the
// newsmine_token cookie authenticates the request); the page reloads to show the result.
(function () {
  "use strict";
  const LABELS = ["PER", "LOC", "ORG"];
  const NAMES = { PER: "person", LOC: "place", ORG: "organisation" };
  const root = document.getElementById("article-text");
  const menu = document.getElementById("review-menu");
  const status = document.getElementById("review-status");
  const article = document.querySelector(".newsmine-article");
  const articleId = Number(article.dataset.articleId);
  const endpoint = article.dataset.correctionsUrl;
  const csrf = (document.querySelector('meta[name="newsmine-csrftoken"]') || {}).content || "";
  if (!root || !menu) return;

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
    menu.style.left = window.scrollX + x + "px";
    menu.style.top = window.scrollY + y + 8 + "px";
    menu.hidden = false;
  }

  async function send(start, end, text, label) {
    hide();
    say("saving…");
    try {
      const resp = await fetch(endpoint, {
        method: "POST", credentials: "same-origin",
        headers: { "content-type": "application/json", "x-csrftoken": csrf },
        body: JSON.stringify({ article_id: articleId, start, end, text, label }),
      });
      const data = await resp.json().catch(() => ({ error: resp.statusText }));
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
