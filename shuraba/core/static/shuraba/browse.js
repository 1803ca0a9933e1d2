/* The browse page's filters with JavaScript on (the page works without: plain links and a GET form).
   A static file, as the CSP allows no inline script; nothing here evaluates text. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  var PHONE = window.matchMedia("(max-width: 59.99rem)");

  function form() { return document.getElementById("filters"); }

  /* Tri-state: a value is included, excluded or neither; ticking one of its two boxes unticks the other
     (in the capture phase, before htmx reads the form on the same change). */
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box.matches || !box.matches(".tri-row input[type=checkbox]") || !box.checked) { return; }
    box.closest(".tri-row").querySelectorAll("input[type=checkbox]").forEach(function (other) {
      if (other !== box) { other.checked = false; }
    });
  }, true);

  /* The tag finder is no filter itself: its change must not search again (nor push a second history entry).
     The search box searches on Enter (the form's submit): its change, which Enter fires first, would start a
     second request that the submit's then aborts (htmx logs the abort as an error). */
  document.addEventListener("change", function (event) {
    if (event.target.id === "tag-find" || event.target.id === "query") { event.stopPropagation(); }
  }, true);

  /* The tag picker: typing filters the list by name, slug or category; chosen tags stay listed. */
  function find(input) {
    var words = input.value.trim().toLowerCase();
    var shown = 0;
    document.querySelectorAll("#tag-list > li").forEach(function (row) {
      var chosen = row.querySelector("input:checked") !== null;
      var match = !words || row.getAttribute("data-find").indexOf(words) !== -1;
      row.hidden = !(match || chosen);
      if (match) { shown += 1; }
    });
    var status = document.getElementById("tag-find-status");
    if (status) { status.textContent = words ? shown + (shown === 1 ? " tag matches" : " tags match") : ""; }
  }
  document.addEventListener("input", function (event) {
    if (event.target.id === "tag-find") { find(event.target); }
  });
  document.addEventListener("keydown", function (event) {
    var input = event.target;
    if (input.id !== "tag-find") { return; }
    if (event.key === "Enter") {  /* Enter in the finder moves to the first tag found, it does not submit */
      event.preventDefault();
      var first = document.querySelector("#tag-list > li:not([hidden]) input");
      if (first) { first.focus(); }
    } else if (event.key === "Escape") {
      input.value = "";
      find(input);
    }
  });

  /* On a phone the filters fold behind the "Filters" button; "Show N results" folds them and goes to the
     results. */
  function fold(open) {
    var toggle = document.getElementById("filters-toggle");
    var f = form();
    if (!toggle || !f) { return; }
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    f.classList.toggle("open", open);
  }
  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target.closest("#filters-toggle, #show-results") : null;
    if (!target) { return; }
    if (target.id === "filters-toggle") {
      var open = target.getAttribute("aria-expanded") !== "true";
      fold(open);
      if (open) { form().querySelector("input, select, summary").focus(); }
      return;
    }
    event.preventDefault();
    if (PHONE.matches) { fold(false); }
    var results = document.getElementById("results");
    results.scrollIntoView();
    results.focus({ preventScroll: true });
  });

  /* A field's error shows in the form: on a phone the folded filters open to show it. */
  document.addEventListener("DOMContentLoaded", function () {
    if (document.querySelector("#filters .field-error")) { fold(true); }
  });
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[href^='#error-']") : null;
    if (link) { fold(true); }
  }, true);

  /* After htmx's swap: each field with an error says so (aria-invalid); after a chip's whole-layout swap,
     focus goes to the results' heading, as the chip it was on is gone. */
  document.addEventListener("htmx:afterSettle", function (event) {
    var f = form();
    if (!f) { return; }
    f.querySelectorAll("[aria-invalid]").forEach(function (field) {
      if (field.id !== "query") { field.removeAttribute("aria-invalid"); }
    });
    document.querySelectorAll(".field-error[data-param]").forEach(function (error) {
      var name = CSS.escape(error.getAttribute("data-param"));
      document.querySelectorAll("[name=" + name + "]").forEach(function (field) {
        field.setAttribute("aria-invalid", "true");
      });
    });
    document.querySelectorAll("#filters .field-error").forEach(function (error) {
      var group = error.closest("details");
      if (group) { group.open = true; }
    });
    if (event.detail && event.detail.target && event.detail.target.id === "browse") {
      var heading = document.getElementById("results-count");
      if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
    }
    var finder = document.getElementById("tag-find");
    if (finder && finder.value) { find(finder); }
  });
})();
