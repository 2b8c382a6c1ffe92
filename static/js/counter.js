// Character counters under long texts: "1,234 / 20,000". Progressive enhancement only: the textarea's
// maxlength stays the real limit (and the server checks it again); without JavaScript nothing changes.
(function () {
  "use strict";
  function format(n) { return n.toLocaleString(document.documentElement.lang || undefined); }
  function attach(area) {
    var max = parseInt(area.getAttribute("maxlength"), 10);
    if (!max || area.dataset.counterAttached) { return; }
    area.dataset.counterAttached = "1";
    var counter = document.createElement("small");
    counter.className = "counter";
    counter.setAttribute("aria-live", "polite");
    counter.setAttribute("data-testid", "counter");
    function update() {
      var used = area.value.length;
      counter.textContent = format(used) + " / " + format(max);
      counter.classList.toggle("counter-near", used >= max * 0.9);
    }
    area.addEventListener("input", update);
    area.insertAdjacentElement("afterend", counter);
    update();
  }
  function init() {
    document.querySelectorAll("textarea[data-counter][maxlength]").forEach(attach);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
