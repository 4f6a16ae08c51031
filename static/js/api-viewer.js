/* The interactive OpenAPI viewer on an API's page: Swagger UI from our own static files,
   loading the specification from the portal. It never calls the API ("try it out" is off)
   and never contacts the public validator. */
(function () {
  "use strict";
  function start() {
    var element = document.getElementById("swagger-ui");
    if (!element || typeof window.SwaggerUIBundle !== "function") return;
    element.innerHTML = "";
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
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
