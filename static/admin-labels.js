/* Accessible names Flask-Admin 2.2.1 and its select2 leave out: the list's checkboxes are
   labelled by their title only (which screen readers may skip), and select2's "remove this
   choice" links have none. The words come translated on this script's tag
   (templates/admin/master.html). */
(function () {
  "use strict";
  var tag = document.currentScript;
  var selectRecord = tag.getAttribute("data-select-record");
  var selectAll = tag.getAttribute("data-select-all");
  var removeChoice = tag.getAttribute("data-remove-choice");

  function text(node) {
    return node ? node.textContent.replace(/\s+/g, " ").trim() : "";
  }

  function label(root) {
    root.querySelectorAll("input.action-rowtoggle:not([aria-label])").forEach(function (box) {
      box.setAttribute("aria-label", selectAll);
    });
    root.querySelectorAll("input.action-checkbox:not([aria-label])").forEach(function (box) {
      var row = box.closest("tr");
      var record = row ? text(row.querySelector("td[class*='col-']")) : "";
      box.setAttribute("aria-label", selectRecord.replace("%(record)s", record || box.value));
    });
    root.querySelectorAll("a.select2-search-choice-close:not([aria-label])").forEach(function (link) {
      var choice = link.parentElement ? text(link.parentElement) : "";
      link.setAttribute("aria-label", removeChoice.replace("%(choice)s", choice));
    });
  }

  label(document);
  new MutationObserver(function () { label(document); }).observe(document.body, { childList: true, subtree: true });
})();
