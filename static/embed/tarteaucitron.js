/* Runs tarteaucitron.js with the configuration this app generates from the published policy
   (/embed/tarteaucitron.json): include tarteaucitron.js from your copy of it (it loads its
   language, services and style files from its own folder), then this script.

     <script src="/tarteaucitron/tarteaucitron.js"></script>
     <script src="https://POLICY-HOST/static/embed/tarteaucitron.js" defer></script>

   The language is data-lang on the tag, else the page's lang, else French. Each service is
   named provider-<id>-<category>; when a visitor accepts it, tarteaucitron sends the event
   "provider-<id>-<category>_loaded" on document: start that provider's script there.
   data-config on the tag gives another configuration address. */
(function () {
  "use strict";
  var tag = document.currentScript;
  var address = tag.getAttribute("data-config") || new URL("/embed/tarteaucitron.json", tag.src).href;
  var asked = tag.getAttribute("data-lang") || (document.documentElement.getAttribute("lang") || "").slice(0, 2);

  function run(config) {
    var tac = window.tarteaucitron;
    if (!tac) throw new Error("cookie policy: load tarteaucitron.js before this script");
    var lang = config.languages[asked] ? asked : Object.keys(config.languages)[0];
    var chosen = config.languages[lang];
    // Globals tarteaucitron reads when it starts (tarteaucitron.js, top of the file).
    window.tarteaucitronForceLanguage = lang;
    window.tarteaucitronCustomText = chosen.texts;
    window.tarteaucitronForceExpire = config.expireDays;
    config.services.forEach(function (service) {
      tac.services[service.key] = {
        key: service.key,
        type: service.type,
        name: service.name,
        uri: service.uri,
        readmoreLink: service.readmoreLink[lang],
        needConsent: service.needConsent,
        cookies: service.cookies,
        js: function () {},
        fallback: function () {}
      };
      (tac.job = tac.job || []).push(service.key);
    });
    var init = {};
    Object.keys(config.init).forEach(function (key) { init[key] = config.init[key]; });
    init.privacyUrl = chosen.privacyUrl;
    tac.init(init);
  }

  fetch(address, { credentials: "omit" })
    .then(function (response) {
      if (!response.ok) throw new Error("cookie policy configuration: HTTP " + response.status);
      return response.json();
    })
    .then(run)
    .catch(function (error) {
      if (window.console) window.console.error(error);
    });
})();
