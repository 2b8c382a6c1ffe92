// Starts Swagger UI from the locally served bundle (no inline script: the CSP forbids it).
(function () {
  var node = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({ url: node.dataset.specUrl, dom_id: "#swagger-ui", deepLinking: true });
})();
