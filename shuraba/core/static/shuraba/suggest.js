// The search boxes' autocomplete: the WAI-ARIA 1.2 combobox pattern with a listbox popup
// (https://www.w3.org/WAI/ARIA/apg/patterns/combobox/). Every <input data-suggest="API URL"> becomes a
// combobox; without this script it stays the plain form field it is in the HTML. The suggestions come from
// GET /api/v1/search/suggest, which applies the viewer's age gate and avoid rules: this file only shows them.
// Under the site's CSP: no inline style (classes and `hidden` only), no eval, no HTML built from strings.
(() => {
  "use strict";

  const DELAY_MS = 150; // typing pauses shorter than this ask nothing
  const MAX_TEXT = 100; // the endpoint's own limit on `q`; longer text asks nothing
  const LIMIT = 6; // titles, and terms, asked for
  const TITLE_URL = (slug) => `/titles/${encodeURIComponent(slug)}/`;
  const KINDS = { tag: "Tag", subgenre: "Subgenre", ending: "Ending" };

  const kindLabel = (kind) => KINDS[kind] || kind.charAt(0).toUpperCase() + kind.slice(1).replace(/_/g, " ");

  function suggestionsOf(body) {
    const titles = body.titles.map((t) => ({
      kind: "title",
      text: t.title,
      meta: ["title", t.year, t.format].filter((x) => x !== null && x !== undefined && x !== "").join(" · "),
      go: TITLE_URL(t.slug),
    }));
    const terms = body.terms.map((t) => ({ kind: t.kind, text: t.label, meta: `${kindLabel(t.kind)} · ${t.syntax}`, syntax: t.syntax }));
    return titles.concat(terms);
  }

  class Combobox {
    constructor(input) {
      this.input = input;
      this.url = input.dataset.suggest;
      this.items = [];
      this.active = -1;
      this.timer = 0;
      this.asking = null; // the AbortController of the request in flight
      this.cache = new Map();
      const id = input.id || "suggest";
      this.list = document.createElement("ul");
      this.list.id = `${id}-suggestions`;
      this.list.className = "suggestions";
      this.list.setAttribute("role", "listbox");
      this.list.setAttribute("aria-label", "Suggestions");
      this.list.hidden = true;
      this.status = document.createElement("div");
      this.status.className = "visually-hidden";
      this.status.setAttribute("role", "status");
      const holder = document.createElement("span");
      holder.className = "suggest";
      input.replaceWith(holder);
      holder.append(input, this.list, this.status);
      input.setAttribute("role", "combobox");
      input.setAttribute("aria-autocomplete", "list");
      input.setAttribute("aria-expanded", "false");
      input.setAttribute("aria-controls", this.list.id);
      input.setAttribute("autocomplete", "off");
      input.addEventListener("input", () => this.typed());
      input.addEventListener("keydown", (e) => this.key(e));
      input.addEventListener("blur", () => this.close());
      // mousedown would move focus out of the box (and close the list) before the click lands
      this.list.addEventListener("mousedown", (e) => e.preventDefault());
      this.list.addEventListener("click", (e) => this.clicked(e));
      this.list.addEventListener("mousemove", (e) => this.hovered(e));
    }

    typed() {
      clearTimeout(this.timer);
      const text = this.input.value.split(/\s+/).filter(Boolean).join(" ");
      if (!text || text.length > MAX_TEXT) {
        this.cancel();
        this.close();
        this.status.textContent = "";
        return;
      }
      this.timer = setTimeout(() => this.ask(text), DELAY_MS);
    }

    cancel() {
      if (this.asking) this.asking.abort();
      this.asking = null;
    }

    async ask(text) {
      this.cancel();
      if (this.cache.has(text)) {
        this.show(text, this.cache.get(text));
        return;
      }
      const asking = new AbortController();
      this.asking = asking;
      try {
        const url = `${this.url}?q=${encodeURIComponent(text)}&limit=${LIMIT}`;
        const response = await fetch(url, { signal: asking.signal, headers: { Accept: "application/json" } });
        if (!response.ok) {
          this.close(); // a 400 says the text cannot be suggested for; the form still searches it
          return;
        }
        const items = suggestionsOf(await response.json());
        if (asking.signal.aborted) return;
        this.cache.set(text, items);
        this.show(text, items);
      } catch (error) {
        if (error.name !== "AbortError") this.close();
      } finally {
        if (this.asking === asking) this.asking = null;
      }
    }

    show(text, items) {
      if (document.activeElement !== this.input) return;
      this.items = items;
      this.active = -1;
      this.input.removeAttribute("aria-activedescendant");
      this.list.replaceChildren(...items.map((item, i) => this.option(item, i)));
      const n = items.length;
      const found = n ? `${n} suggestion${n === 1 ? "" : "s"}` : "No suggestions";
      this.status.textContent = `${found} for “${text}”${n ? ", up and down arrows to choose" : ""}`;
      this.setOpen(n > 0);
    }

    option(item, i) {
      const li = document.createElement("li");
      li.id = `${this.list.id}-${i}`;
      li.className = `suggestion suggestion-${item.kind === "title" ? "title" : "term"}`;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      li.dataset.index = String(i);
      const text = document.createElement("span");
      text.className = "suggestion-text";
      text.textContent = item.text;
      li.append(text);
      if (item.meta) {
        const meta = document.createElement("span");
        meta.className = "suggestion-meta";
        meta.textContent = ` ${item.meta}`;
        li.append(meta);
      }
      return li;
    }

    setOpen(open) {
      this.list.hidden = !open;
      this.input.setAttribute("aria-expanded", String(open));
      if (!open) {
        this.active = -1;
        this.input.removeAttribute("aria-activedescendant");
      }
    }

    close() {
      clearTimeout(this.timer);
      this.setOpen(false);
    }

    isOpen() {
      return !this.list.hidden;
    }

    highlight(i) {
      const options = this.list.children;
      if (this.active >= 0 && options[this.active]) options[this.active].setAttribute("aria-selected", "false");
      this.active = i;
      if (i < 0) {
        this.input.removeAttribute("aria-activedescendant");
        return;
      }
      options[i].setAttribute("aria-selected", "true");
      this.input.setAttribute("aria-activedescendant", options[i].id);
      options[i].scrollIntoView({ block: "nearest" });
    }

    move(step) {
      if (!this.isOpen()) {
        if (!this.items.length) return;
        this.setOpen(true);
      }
      const n = this.items.length;
      this.highlight(this.active < 0 ? (step > 0 ? 0 : n - 1) : (this.active + step + n) % n);
    }

    key(e) {
      if (e.isComposing) return; // an input method is composing (Japanese, Chinese...)
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        if (e.altKey) this.setOpen(this.items.length > 0);
        else this.move(e.key === "ArrowDown" ? 1 : -1);
      } else if (e.key === "Enter" && this.isOpen() && this.active >= 0) {
        e.preventDefault();
        this.pick(this.active);
      } else if (e.key === "Escape" && this.isOpen()) {
        e.preventDefault();
        this.close();
      } else if (e.key === "Tab" || e.key === "Enter") {
        this.close(); // Tab moves on and Enter without a choice searches the text as typed
      }
    }

    clicked(e) {
      const li = e.target.closest("[role=option]");
      if (li) this.pick(Number(li.dataset.index));
    }

    hovered(e) {
      const li = e.target.closest("[role=option]");
      if (li && Number(li.dataset.index) !== this.active) this.highlight(Number(li.dataset.index));
    }

    pick(i) {
      const item = this.items[i];
      if (!item) return;
      this.close();
      if (item.go) {
        window.location.assign(item.go);
        return;
      }
      // A term: its syntax in the box, ready for more words or Enter.
      this.input.value = `${item.syntax} `;
      this.input.focus();
      this.input.setSelectionRange(this.input.value.length, this.input.value.length);
      this.status.textContent = `${item.text} put in the box as ${item.syntax}`;
    }
  }

  for (const input of document.querySelectorAll("input[data-suggest]")) new Combobox(input);
})();
