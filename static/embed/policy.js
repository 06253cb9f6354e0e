/* The current cookie policy inside a site's own page, in a shadow root: the site's styles do
   not reach it and its styles do not leak out. Themable with CSS custom properties set on the
   container (--ink, --muted, --line, --paper, --tint, --accent, --accent-dark, --focus).

     <div data-cookie-policy data-lang="fr" data-part="cookies"></div>
     <script src="https://POLICY-HOST/static/embed/policy.js" defer></script>

   data-lang: "fr" or "en" (else the page's lang, else French); data-part="cookies": the cookie
   tables only (else the whole policy). */
(function () {
  "use strict";
  var tag = document.currentScript;
  var origin = new URL(tag.src).origin;
  var LANGUAGES = ["fr", "en"];
  // How each consent manager reopens its choices (each call checked in its documentation; the
  // site settings name the manager).
  var REOPEN = {
    cookieconsent: ["CookieConsent", "showPreferences"],
    klaro: ["klaro", "show"],  // called with (undefined, true): the choices, even before a first answer
    tarteaucitron: ["tarteaucitron", "userInterface", "openPanel"],
    cookiebot: ["Cookiebot", "renew"],
    didomi: ["Didomi", "preferences", "show"],
    onetrust: ["OneTrust", "ToggleInfoDisplay"]
  };

  // Calls window.<path> when the manager is on the page; false when it is not.
  function reopen(manager) {
    var path = REOPEN[manager];
    if (!path) return false;
    var owner = window;
    for (var i = 0; i < path.length - 1; i++) {
      owner = owner && owner[path[i]];
    }
    var method = owner && owner[path[path.length - 1]];
    if (typeof method !== "function") return false;
    if (manager === "klaro") method.call(owner, undefined, true);
    else method.call(owner);
    return true;
  }

  function languageOf(container) {
    var asked = (container.getAttribute("data-lang") || document.documentElement.lang || "").slice(0, 2).toLowerCase();
    return LANGUAGES.indexOf(asked) >= 0 ? asked : LANGUAGES[0];
  }

  // Resolves once the style sheet has loaded (or failed): the policy is shown styled, never
  // as a flash of bare text.
  function stylesheet(root, href) {
    return new Promise(function (done) {
      var link = document.createElement("link");
      link.rel = "stylesheet";
      link.href = href;
      link.onload = link.onerror = function () { done(); };
      root.appendChild(link);
    });
  }

  function show(container, html, lang) {
    var root = container.shadowRoot || container.attachShadow({ mode: "open" });
    root.textContent = "";
    var styled = Promise.all([
      stylesheet(root, origin + "/static/site.css"),
      stylesheet(root, origin + "/" + lang + "/cookies/labels.css"),
      stylesheet(root, origin + "/static/embed/policy.css")
    ]);
    var holder = document.createElement("div");
    holder.className = "cookie-policy";
    holder.lang = lang;
    // Our own server's HTML, every editor's text in it escaped; scripts in it never run.
    holder.innerHTML = html;
    if (container.getAttribute("data-part") === "cookies") {
      var tables = holder.querySelector("#ours");
      holder.textContent = "";
      if (tables) holder.appendChild(tables);
    }
    styled.then(function () { root.appendChild(holder); });
    Array.prototype.forEach.call(holder.querySelectorAll("button[data-consent-manager]"), function (button) {
      button.addEventListener("click", function () {
        if (!reopen(button.getAttribute("data-consent-manager"))) {
          if (window.console) window.console.error("cookie policy: the consent manager is not on this page");
        }
      });
    });
    // In-page links (the table of contents) scroll inside the shadow root, where the page's
    // own #fragment navigation cannot look.
    root.addEventListener("click", function (event) {
      var link = event.target.closest('a[href^="#"]');
      if (!link) return;
      var target = root.getElementById(link.getAttribute("href").slice(1));
      if (target) {
        event.preventDefault();
        target.scrollIntoView();
        target.setAttribute("tabindex", "-1");
        target.focus({ preventScroll: true });
      }
    });
  }

  function load(container) {
    var lang = languageOf(container);
    fetch(origin + "/embed/" + lang + "/policy.html", { credentials: "omit" })
      .then(function (response) {
        if (!response.ok) throw new Error("cookie policy: HTTP " + response.status);
        return response.text();
      })
      .then(function (html) { show(container, html, lang); })
      .catch(function (error) { if (window.console) window.console.error(error); });
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-cookie-policy]"), load);
})();
