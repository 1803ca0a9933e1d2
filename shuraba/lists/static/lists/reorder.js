// Drag and drop for a reading list's editing page. The Up, Down and Move buttons do the same without a
// script; this only sends the whole new order (every item's number, in order) when a title is dropped.
(function () {
  "use strict";
  function setUp() {
    var list = document.getElementById("list-order");
    var status = document.getElementById("order-status");
    if (!list || !list.dataset.orderUrl) { return; }
    var dragged = null;
    list.addEventListener("dragstart", function (event) {
      dragged = event.target.closest("li[data-item]");
      if (dragged) { event.dataTransfer.effectAllowed = "move"; dragged.classList.add("dragging"); }
    });
    list.addEventListener("dragover", function (event) {
      var over = event.target.closest("li[data-item]");
      if (!dragged || !over || over === dragged) { return; }
      event.preventDefault();
      var box = over.getBoundingClientRect();
      list.insertBefore(dragged, event.clientY > box.top + box.height / 2 ? over.nextSibling : over);
    });
    list.addEventListener("dragend", function () {
      if (!dragged) { return; }
      dragged.classList.remove("dragging");
      dragged = null;
      send();
    });
    function send() {
      var order = Array.prototype.map.call(list.querySelectorAll("li[data-item]"), function (li) { return li.dataset.item; });
      var token = list.querySelector("input[name=csrfmiddlewaretoken]");
      var body = new URLSearchParams({ order: order.join(","), csrfmiddlewaretoken: token ? token.value : "" });
      status.textContent = "Saving the new order…";
      fetch(list.dataset.orderUrl, {
        method: "POST", body: body, credentials: "same-origin",
        headers: { "Accept": "application/json", "X-CSRFToken": token ? token.value : "" }
      }).then(function (response) {
        return response.json().then(function (answer) {
          if (!response.ok) { throw new Error(answer.detail || "the order was not saved"); }
          status.textContent = "Order saved.";
          list.querySelectorAll("li[data-item]").forEach(function (li, i) {
            var position = li.querySelector("input.position");
            if (position) { position.value = i + 1; }
          });
        });
      }).catch(function (error) {
        status.textContent = "Not saved: " + error.message + ". Reload the page to see the saved order.";
      });
    }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", setUp); } else { setUp(); }
})();
