// Leaving a page with unsaved changes asks first. Only forms marked data-unsaved-warning count: a
// typed change (input or change event inside the form) makes it dirty, submitting it makes it clean
// again, so saving never asks. No inline code: CSP-clean like every other script here.
(function () {
  "use strict";

  var dirty = new Set();

  function watchedForm(element) {
    var form = element && (element.form || (element.closest && element.closest("form")));
    return form && form.hasAttribute("data-unsaved-warning") ? form : null;
  }

  function markDirty(event) {
    var form = watchedForm(event.target);
    if (form) dirty.add(form);
  }

  document.addEventListener("input", markDirty, true);
  document.addEventListener("change", markDirty, true);
  // Bubbling, so it runs after app.js's data-confirm check (capturing): a cancelled submit stays dirty.
  document.addEventListener("submit", function (event) {
    if (!event.defaultPrevented) dirty.delete(event.target);
  });
  window.addEventListener("beforeunload", function (event) {
    dirty.forEach(function (form) { if (!form.isConnected) dirty.delete(form); });
    if (dirty.size === 0) return;
    event.preventDefault();
    event.returnValue = "";  // Older Chromium needs a value to show the prompt.
  });
})();
