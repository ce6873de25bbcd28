// Renders Trove's API reference with Swagger UI from the OpenAPI document
// next to this page. It is a file, not an inline script, so that the page
// runs under a Content-Security-Policy that allows only this origin's scripts.
// URLs are relative, so the page also works when a proxy serves the API
// under a longer path.

window.addEventListener("load", () => {
  window.SwaggerUIBundle({
    url: "openapi.yaml",
    dom_id: "#reference",
    deepLinking: true,
    displayOperationId: true,
    defaultModelsExpandDepth: 1,
    // The public validator is another host; the reference asks no one else.
    validatorUrl: null,
  });
});
