/* The interactive OpenAPI viewer on an API's page: Swagger UI from our own static files,
   loading the specification from the portal. It never calls the API ("try it out" is off)
   and never contacts the public validator. Small documents start it at once; for large ones
   (data-autostart absent) the reader opens it with a button, since it renders every
   operation. */
(function () {
  "use strict";
  function start(element) {
    if (typeof window.SwaggerUIBundle !== "function") return;
    element.replaceChildren();
    window.SwaggerUIBundle({
      url: element.getAttribute("data-spec-url"),
      domNode: element,
      deepLinking: false,
      supportedSubmitMethods: [],
      validatorUrl: null,
      docExpansion: "list",
      defaultModelsExpandDepth: 0,
      onComplete: function () { element.setAttribute("data-ready", "true"); }
    });
  }
  function init() {
    var element = document.getElementById("swagger-ui");
    if (!element) return;
    if (element.hasAttribute("data-autostart")) { start(element); return; }
    var button = element.querySelector("[data-open-viewer]");
    if (button) button.addEventListener("click", function () { start(element); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
