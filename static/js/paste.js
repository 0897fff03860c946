/* Copy buttons of the paste page: each copies its block's exact text to the clipboard.
   No inline scripts, no CDN: served from static/ like the rest. */
(function () {
  "use strict";

  function copyWithSelection(text) {
    // Fallback where the Clipboard API is unavailable (plain http on a non-local host).
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.appendChild(area);
      area.select();
      var copied = false;
      try {
        copied = document.execCommand("copy");
      } catch (error) {
        copied = false;
      }
      document.body.removeChild(area);
      if (copied) {
        resolve();
      } else {
        reject(new Error("copy refused"));
      }
    });
  }

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    return copyWithSelection(text);
  }

  function announce(button, message) {
    var label = button.dataset.label || button.textContent;
    button.dataset.label = label;
    button.textContent = message;
    var status = document.getElementById("copy-status");
    if (status) {
      status.textContent = message + ": " + (button.dataset.fieldLabel || "");
    }
    window.setTimeout(function () {
      button.textContent = label;
    }, 1500);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy-target]");
    if (!button) {
      return;
    }
    var source = document.getElementById(button.dataset.copyTarget);
    if (!source) {
      return;
    }
    copyText(source.textContent).then(
      function () {
        button.classList.add("copied");
        announce(button, "Copied");
      },
      function () {
        announce(button, "Copy failed: select the text and copy it");
      }
    );
  });
})();
