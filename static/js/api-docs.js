// Starts Swagger UI from the locally served bundle (no inline script: the CSP forbids it).
(function () {
  var node = document.getElementById("swagger-ui");
  // validatorUrl: null, or the page would fetch a badge from validator.swagger.io (not local, and the CSP refuses it)
  window.ui = SwaggerUIBundle({ url: node.dataset.specUrl, dom_id: "#swagger-ui", deepLinking: true, validatorUrl: null });
})();
