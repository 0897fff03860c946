"use strict";
// Redoc's init script, served by the Redoc page's own view (?script) rather than inline. Redoc
// puts this script tag's nonce on the <style> elements it inserts, which the page's CSP allows.
(() => {
  const nonce = document.currentScript.nonce;
  const settings = {{ settings|safe }};

  // Redoc's sidebar always shows Redocly's logo from cdn.redoc.ly (Redocly/redoc#2108). Nothing on
  // this site comes from another host, so an image URL of another origin is not even requested
  // (setting `src` would start the request, and the CSP would refuse it with a console error);
  // such an image is hidden instead.
  const elsewhere = (value) => {
    const url = new URL(value, document.baseURI);
    return ["http:", "https:"].includes(url.protocol) && url.origin !== window.location.origin;
  };
  const src = Object.getOwnPropertyDescriptor(HTMLImageElement.prototype, "src");
  Object.defineProperty(HTMLImageElement.prototype, "src", {
    ...src,
    set(value) {
      if (elsewhere(value)) this.hidden = true;
      else src.set.call(this, value);
    },
  });
  const setAttribute = Element.prototype.setAttribute;
  Element.prototype.setAttribute = function (name, value) {
    if (this instanceof HTMLImageElement && name.toLowerCase() === "src" && elsewhere(value)) {
      this.hidden = true;
    } else {
      setAttribute.call(this, name, value);
    }
  };

  document.body.style.margin = "0";
  Redoc.init("{{ schema_url|escapejs }}", { ...settings, nonce }, document.getElementById("redoc-container"));
})();
