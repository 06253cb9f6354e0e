/* Behaviour that Flask-Admin's templates put in inline handlers, which a strict
   Content-Security-Policy blocks: delete confirmation, bulk actions, and links
   that only open a menu. */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var confirmButton = event.target.closest("[data-confirm]");
    if (confirmButton) {
      if (!window.confirm(confirmButton.getAttribute("data-confirm"))) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
      return;
    }
    var action = event.target.closest("[data-model-action]");
    if (action) {
      event.preventDefault();
      if (window.modelActions) {
        window.modelActions.execute(action.getAttribute("data-model-action"));
      }
      return;
    }
    var menuLink = event.target.closest('a[href="#"], a[href^="javascript:"]');
    if (menuLink) {
      event.preventDefault();
    }
  }, true);
})();
