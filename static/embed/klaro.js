/* Runs Klaro with the configuration this app generates from the published policy
   (/embed/klaro.json): include klaro-no-css.js and klaro.min.css, then this script.

     <script src="https://POLICY-HOST/static/embed/klaro.js" defer></script>

   data-config on the tag gives another configuration address. */
(function () {
  "use strict";
  var tag = document.currentScript;
  var address = tag.getAttribute("data-config") || new URL("/embed/klaro.json", tag.src).href;

  fetch(address, { credentials: "omit" })
    .then(function (response) {
      if (!response.ok) throw new Error("cookie policy configuration: HTTP " + response.status);
      return response.json();
    })
    .then(function (config) {
      if (!window.klaro) throw new Error("cookie policy: load Klaro before this script");
      window.klaro.setup(config);
    })
    .catch(function (error) {
      if (window.console) window.console.error(error);
    });
})();
