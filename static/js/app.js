// GPT Studio: behaviour every page shares. No framework; runs under a CSP without inline code.
// - Character counters: <span class="counter" data-counter-for="ID" data-max="N">.
// - Confirmation before submitting forms marked data-confirm="question".
// - Copy buttons: <button data-copy-target="ID"> copies that element's text, <button data-copy-text="…">
//   the attribute's (a finding's rule code or JSON pointer).
(function () {
  "use strict";

  function updateCounter(counter) {
    var field = document.getElementById(counter.dataset.counterFor);
    if (!field) return;
    var max = parseInt(counter.dataset.max, 10);
    var length = field.value.length;
    counter.textContent = length + " / " + max;
    counter.classList.toggle("over", length > max);
    counter.classList.toggle("near", length <= max && length > max * 0.9);
    field.setAttribute("aria-invalid", length > max ? "true" : "false");
    if (length > max) {
      counter.textContent += " — " + (length - max) + " over ChatGPT's limit";
    }
  }

  function initCounters(root) {
    root.querySelectorAll(".counter[data-counter-for]").forEach(function (counter) {
      var field = document.getElementById(counter.dataset.counterFor);
      if (!field || field.dataset.counterBound) return;
      field.dataset.counterBound = "1";
      var describedBy = (field.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
      if (describedBy.indexOf(counter.id) < 0 && counter.id) describedBy.push(counter.id);
      field.setAttribute("aria-describedby", describedBy.join(" "));
      field.addEventListener("input", function () { updateCounter(counter); });
      updateCounter(counter);
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
      return;
    }
    // A form sent from inside a popover menu (import from URL) closes it, so the answer shown
    // under the menu is not hidden behind it.
    var menu = event.submitter && event.submitter.closest("details.menu[open]");
    if (menu) menu.removeAttribute("open");
  }, true);

  // The one copy handler of every page. The button's own label is kept in data-label the first
  // time, so a second click while it says "Copied" still resets it to "Copy".
  function copyWithSelection(text) {
    // Fallback where the Clipboard API is unavailable (plain http on a non-local host).
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.className = "offscreen-copy";
      document.body.appendChild(area);
      area.select();
      var copied = false;
      try { copied = document.execCommand("copy"); } catch (error) { copied = false; }
      document.body.removeChild(area);
      if (copied) { resolve(); } else { reject(new Error("copy refused")); }
    });
  }

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    return copyWithSelection(text);
  }

  function announceCopy(button, message, copied) {
    if (!button.dataset.label) button.dataset.label = button.textContent;
    button.textContent = message;
    button.classList.toggle("copied", copied);
    var status = document.getElementById("copy-status");
    if (status) status.textContent = message + ": " + (button.dataset.fieldLabel || "");
    window.clearTimeout(button._copyReset);
    button._copyReset = window.setTimeout(function () {
      button.textContent = button.dataset.label;
      button.classList.remove("copied");
    }, 1500);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy-target], [data-copy-text]");
    if (!button) return;
    var text = button.dataset.copyText;
    if (text === undefined) {
      var source = document.getElementById(button.dataset.copyTarget);
      if (!source) return;
      text = source.value !== undefined ? source.value : source.textContent;
    }
    copyText(text).then(
      function () { announceCopy(button, "Copied", true); },
      function () { announceCopy(button, "Copy failed: select the text and copy it", false); }
    );
  });

  // Close an open <details class="menu"> with Escape or a click elsewhere.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      menu.removeAttribute("open");
      menu.querySelector("summary").focus();
    });
  });
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) menu.removeAttribute("open");
    });
  });

  document.addEventListener("DOMContentLoaded", function () { initCounters(document); });
  document.addEventListener("htmx:afterSettle", function (event) { initCounters(event.target); });
  window.GPTStudio = { initCounters: initCounters };
})();
