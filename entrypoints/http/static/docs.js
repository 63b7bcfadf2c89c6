// Draws the reference of the OpenAPI document this server serves, with nothing from elsewhere
// (no validator badge, no fonts): the page works offline.
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "/v1/openapi.json",
    dom_id: "#swagger-ui",
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    deepLinking: true,
    displayOperationId: true,
    displayRequestDuration: true,
    docExpansion: "list",
    defaultModelsExpandDepth: 1,
    filter: true,
    showExtensions: true,
    showCommonExtensions: true,
    validatorUrl: null,
  });
});
