// The GPT editor's checks panel: a finding's link (<a data-focus-field="ID" href="#ID">) scrolls to its
// field and focuses it. Following the anchor alone focuses a control but not a section (the starters'
// fieldset, the Actions heading): such a target passes focus to its first control, or takes it itself.
(function () {
  "use strict";

  var CONTROLS = "input:not([type=hidden]), select, textarea, button, a[href]";

  function focusTarget(target) {
    var control = target.matches(CONTROLS) ? target : target.querySelector(CONTROLS);
    if (!control) {
      target.setAttribute("tabindex", "-1");
      control = target;
    }
    control.focus({ preventScroll: true });
    control.scrollIntoView({ block: "center" });
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-focus-field]");
    if (!link) return;
    var target = document.getElementById(link.dataset.focusField);
    if (!target) return;
    event.preventDefault();
    if (window.history.replaceState) window.history.replaceState(null, "", "#" + target.id);
    focusTarget(target);
  });
})();
