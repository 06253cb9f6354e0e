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

  function languageOf(container) {
    var asked = (container.getAttribute("data-lang") || document.documentElement.lang || "").slice(0, 2).toLowerCase();
    return LANGUAGES.indexOf(asked) >= 0 ? asked : LANGUAGES[0];
  }

  function stylesheet(root, href) {
    var link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = href;
    root.appendChild(link);
  }

  function show(container, html, lang) {
    var root = container.shadowRoot || container.attachShadow({ mode: "open" });
    root.textContent = "";
    stylesheet(root, origin + "/static/site.css");
    stylesheet(root, origin + "/" + lang + "/cookies/labels.css");
    stylesheet(root, origin + "/static/embed/policy.css");
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
    root.appendChild(holder);
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
