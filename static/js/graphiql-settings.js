/* graphene-django's GraphiQL script reads window.GRAPHENE_SETTINGS; its template sets it in an
   inline script, which the Content-Security-Policy forbids, so it is read here from data
   attributes the template fills in. */
(function () {
  "use strict";
  var data = document.getElementById("graphene-settings").dataset;
  window.GRAPHENE_SETTINGS = {
    graphiqlHeaderEditorEnabled: data.headerEditorEnabled === "true",
    graphiqlShouldPersistHeaders: data.shouldPersistHeaders === "true",
    graphiqlInputValueDeprecation: data.inputValueDeprecation === "true"
  };
})();
