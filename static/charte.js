// The policy's cookie filter: a progressive enhancement, the page reads the same without it.
(function () {
  "use strict";
  var box = document.querySelector("[data-cookie-filter]");
  if (!box) return;
  var input = box.querySelector("input");
  var status = box.querySelector(".filter-status");
  var rows = Array.prototype.slice.call(document.querySelectorAll("table.cookies tbody tr"));
  var fold = function (text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  };
  var texts = null;
  var timer = null;
  box.hidden = false;

  function apply() {
    var query = fold(input.value.trim());
    if (texts === null) texts = rows.map(function (row) { return fold(row.textContent); });
    var shown = 0;
    rows.forEach(function (row, index) {
      var match = !query || texts[index].indexOf(query) !== -1;
      row.hidden = !match;
      if (match) shown += 1;
    });
    document.querySelectorAll("section.category").forEach(function (section) {
      var details = section.querySelector("details");
      var visible = section.querySelector("tbody tr:not([hidden])");
      if (query && details) details.open = Boolean(visible);
      section.hidden = Boolean(query) && !visible;
    });
    if (!query) status.textContent = "";
    else if (shown === 0) status.textContent = box.dataset.statusNone;
    else if (shown === 1) status.textContent = box.dataset.statusOne;
    else status.textContent = box.dataset.statusMany.replace("{n}", shown.toLocaleString(document.documentElement.lang));
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(apply, 150);
  });
  // A printed policy shows every section, whatever was folded.
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("section.category details").forEach(function (details) { details.open = true; });
  });
})();
