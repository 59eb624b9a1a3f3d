// citechat's page script: markers show their own quote, copy gives plain text.
//
// Every [n] link says which turn, document and offsets its quote has (href "#cc/turn/n/doc/start/end"), so
// clicking a marker of any earlier answer shows that answer's quote, never the latest one's. On a wide screen the
// quote is highlighted in the article panel (loading that document first when another one is shown); on a phone
// it opens next to the answer instead of jumping away from the conversation.
(() => {
  const PHONE = "(max-width: 820px)";
  const $ = (selector, root = document) => root.querySelector(selector);

  function citation(link) {
    const [, turn, n, doc, start, end] = (link.getAttribute("href") || "").split("/");
    return { turn, n, doc, start, end };
  }

  function panel() { return $("#citechat-article .cc-article"); }

  function requestDocument(docId) {
    const box = $("#citechat-doc-request textarea, #citechat-doc-request input");
    if (!box) return;
    box.value = docId;
    box.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function whenDocumentShown(docId, then, tries = 200) {
    const current = panel();
    if (current && current.dataset.doc === docId) { then(current); return; }
    if (tries <= 0) return;
    setTimeout(() => whenDocumentShown(docId, then, tries - 1), 50);
  }

  function highlight(link, { scroll = true } = {}) {
    const cite = citation(link);
    const show = (article) => {
      article.querySelectorAll(".cc-s.cc-active").forEach((s) => {
        s.classList.remove("cc-active"); s.removeAttribute("aria-current");
      });
      const sentence = article.querySelector(`.cc-s[data-start="${cite.start}"]`);
      if (!sentence) return;
      sentence.classList.add("cc-active");
      sentence.setAttribute("aria-current", "true");
      sentence.dataset.turn = cite.turn;
      sentence.dataset.n = cite.n;
      if (scroll) sentence.scrollIntoView({ block: "center" });
    };
    const current = panel();
    if (!current || current.dataset.doc !== cite.doc) requestDocument(cite.doc);
    whenDocumentShown(cite.doc, show);
  }

  function popover(link) {
    const open = link.nextElementSibling;
    if (open && open.classList.contains("cc-popover")) { open.remove(); link.setAttribute("aria-expanded", "false"); return; }
    document.querySelectorAll(".cc-popover").forEach((p) => p.remove());
    const cite = citation(link);
    const answer = link.closest(".cc-answer, .cc-sources");
    const stored = document.querySelector(`.cc-quote-${cite.turn}-${cite.n}`);
    const box = document.createElement("span");
    box.className = "cc-popover";
    box.setAttribute("role", "note");
    const quote = document.createElement("q");
    quote.textContent = stored ? stored.textContent : "";  // text, never HTML: documents stay inert
    // A quote that opens with its own quotation mark would show two ("“"Kim…"): let it keep only its own.
    if (/^["«“„‘']/.test(quote.textContent)) quote.style.quotes = "none";
    const where = document.createElement("span");
    where.className = "cc-where";
    where.textContent = link.getAttribute("title") || "";
    box.append(quote, where);
    link.after(box);
    link.setAttribute("aria-expanded", "true");
    if (answer) box.scrollIntoView({ block: "nearest" });
  }

  document.addEventListener("click", (event) => {
    const link = event.target.closest && event.target.closest("a.cc-marker");
    if (link) {
      event.preventDefault();
      event.stopPropagation();
      const phone = window.matchMedia(PHONE).matches;
      if (phone) popover(link);
      highlight(link, { scroll: !phone });
      return;
    }
    const copy = event.target.closest && event.target.closest("button.cc-copy");
    if (copy) {
      event.preventDefault();
      const answer = copy.closest(".cc-answer");
      const text = answer ? answer.querySelector(".cc-text").innerText.trim() : "";
      window.__citechatCopied = text;  // what the last copy wrote, for the tests
      if (navigator.clipboard) navigator.clipboard.writeText(text).then(() => copy.classList.add("cc-copied"));
    }
  }, true);

  // Accessibility fix-ups the chat's sanitiser cannot carry: a marker's accessible name is its title ("source 1:
  // <title>, characters a-b"), and a message is read from its content, not from the raw HTML Gradio puts in
  // aria-label.
  function tidy() {
    document.querySelectorAll("#citechat-chat a.cc-marker:not([aria-label])").forEach((a) => {
      a.setAttribute("aria-label", a.getAttribute("title") || a.textContent);
    });
    document.querySelectorAll("#citechat-chat [data-testid='bot'][aria-label], #citechat-chat [data-testid='user'][aria-label]")
      .forEach((m) => m.removeAttribute("aria-label"));
  }

  // A new answer highlights its first quote in the article (wide screens only: a phone keeps the conversation).
  let lastTurn = 0;
  new MutationObserver(() => {
    tidy();
    const answers = document.querySelectorAll("#citechat-chat .cc-answer.cc-grounded");
    const last = answers[answers.length - 1];
    if (!last) { lastTurn = 0; return; }
    const match = /cc-turn-(\d+)/.exec(last.className);
    const turn = match ? Number(match[1]) : 0;
    if (turn === lastTurn) return;
    lastTurn = turn;
    const first = last.querySelector("a.cc-marker");
    if (first && !window.matchMedia(PHONE).matches) highlight(first, { scroll: true });
  }).observe(document.documentElement, { childList: true, subtree: true });
})();
