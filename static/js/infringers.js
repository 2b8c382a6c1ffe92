// The complaint form's infringer rows, added and removed in place. Without JavaScript the same buttons
// submit the form: "add" saves the draft and comes back with one more row, "remove" saves it without that
// row. The server reads the rows by their numbers (gaps are fine) and allows at most data-max of them.
(function () {
  "use strict";
  var NAME = /^infringers-(\d+)-/;

  function rows(container) { return container.querySelectorAll("[data-infringer-row]"); }

  function nextNumber(container) {
    var highest = -1;
    container.querySelectorAll("[name^='infringers-']").forEach(function (el) {
      var m = NAME.exec(el.name);
      if (m) { highest = Math.max(highest, parseInt(m[1], 10)); }
    });
    return highest + 1;
  }

  function renumberLegends(container) {
    rows(container).forEach(function (row, i) {
      var legend = row.querySelector("legend");
      if (legend) { legend.textContent = legend.textContent.replace(/\d+/, String(i + 1)); }
    });
  }

  function clear(row) {
    row.querySelectorAll("input, select, textarea").forEach(function (el) {
      if (el.tagName === "SELECT") { el.selectedIndex = 0; } else { el.value = ""; }
      el.removeAttribute("aria-invalid");
    });
    row.querySelectorAll("small.error").forEach(function (el) { el.remove(); });
    row.querySelectorAll("details").forEach(function (el) { el.open = false; });
  }

  function init() {
    var container = document.querySelector("[data-infringer-rows]");
    if (!container) { return; }
    var max = parseInt(container.dataset.max, 10) || 20;
    var add = document.querySelector("[data-add-infringer]");

    function updateAdd() { if (add) { add.hidden = rows(container).length >= max; } }

    if (add) {
      add.addEventListener("click", function (event) {
        var all = rows(container);
        if (all.length >= max) { return; }
        event.preventDefault();
        var last = all[all.length - 1];
        var row = last.cloneNode(true);
        var number = String(nextNumber(container));
        row.querySelectorAll("[name^='infringers-']").forEach(function (el) {
          el.name = el.name.replace(NAME, "infringers-" + number + "-");
          if (el.id) { el.id = el.id.replace(/^field-infringers-\d+-/, "field-infringers-" + number + "-"); }
        });
        row.id = "field-infringers-" + number;
        row.querySelectorAll("[data-remove-infringer]").forEach(function (b) { b.value = number; });
        clear(row);
        last.insertAdjacentElement("afterend", row);
        renumberLegends(container);
        updateAdd();
        var first = row.querySelector("select, input");
        if (first) { first.focus(); }
      });
    }

    container.addEventListener("click", function (event) {
      var button = event.target.closest("[data-remove-infringer]");
      if (!button) { return; }
      event.preventDefault();
      var row = button.closest("[data-infringer-row]");
      if (rows(container).length > 1) { row.remove(); } else { clear(row); }
      renumberLegends(container);
      updateAdd();
    });
    updateAdd();
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
