// GPT Studio: behaviour every page shares. No framework; runs under a CSP without inline code.
// - Character counters: <span class="counter" data-counter-for="ID" data-max="N">.
// - Confirmation before submitting forms marked data-confirm="question".
// - Copy buttons: <button data-copy-target="ID"> copies that element's text.
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
    }
  }, true);

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy-target]");
    if (!button) return;
    var source = document.getElementById(button.dataset.copyTarget);
    if (!source || !navigator.clipboard) return;
    navigator.clipboard.writeText(source.value !== undefined ? source.value : source.textContent).then(function () {
      var label = button.textContent;
      button.textContent = "Copied";
      setTimeout(function () { button.textContent = label; }, 1500);
    });
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
