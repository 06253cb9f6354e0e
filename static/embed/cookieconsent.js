/* Runs orestbida/cookieconsent v3 with the configuration this app generates from the
   published policy (/embed/cookieconsent.json): include the library, then this script.

     <script src="https://POLICY-HOST/static/embed/cookieconsent.js" defer></script>

   JSON has no RegExp: a prefix cookie comes as {"pattern": "^_ga"} and becomes one here.
   data-config on the tag gives another configuration address. */
(function () {
  "use strict";
  var tag = document.currentScript;
  var address = tag.getAttribute("data-config") || new URL("/embed/cookieconsent.json", tag.src).href;

  function withPatterns(config) {
    Object.keys(config.categories).forEach(function (key) {
      var clear = config.categories[key].autoClear;
      if (!clear) return;
      clear.cookies = clear.cookies.map(function (cookie) {
        if (!cookie.pattern) return cookie;
        var rule = { name: new RegExp(cookie.pattern) };
        if (cookie.domain) rule.domain = cookie.domain;
        return rule;
      });
    });
    return config;
  }

  fetch(address, { credentials: "omit" })
    .then(function (response) {
      if (!response.ok) throw new Error("cookie policy configuration: HTTP " + response.status);
      return response.json();
    })
    .then(function (config) {
      if (!window.CookieConsent) throw new Error("cookie policy: load vanilla-cookieconsent before this script");
      return window.CookieConsent.run(withPatterns(config));
    })
    .catch(function (error) {
      if (window.console) window.console.error(error);
    });
})();
