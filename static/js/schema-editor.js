// The action editor's schema box: line numbers, markers at the lines with findings, "go to line"
// from a finding, Tab indentation (Escape releases Tab for keyboard navigation), the Format
// button (pretty-printed by the server) and reading an uploaded file into the box.
(function () {
  "use strict";
  var textarea, gutter, report, status, tabTraps = true;

  function lineCount() { return textarea.value.split("\n").length; }

  function marks() {
    var current = document.getElementById("schema-report");
    var parse = function (value) { return (value || "").split(" ").filter(Boolean).map(Number); };
    return {
      error: parse(current && current.dataset.errorLines),
      warning: parse(current && current.dataset.warningLines)
    };
  }

  function renderGutter() {
    var count = lineCount();
    var m = marks();
    var fragment = document.createDocumentFragment();
    for (var n = 1; n <= count; n++) {
      var span = document.createElement("span");
      span.textContent = n;
      if (m.error.indexOf(n) >= 0) { span.className = "has-error"; span.title = "Error on line " + n; }
      else if (m.warning.indexOf(n) >= 0) { span.className = "has-warning"; span.title = "Warning on line " + n; }
      fragment.appendChild(span);
    }
    gutter.replaceChildren(fragment);
    syncScroll();
  }

  function syncScroll() { gutter.scrollTop = textarea.scrollTop; }

  function gotoLine(line, column) {
    var lines = textarea.value.split("\n");
    var offset = 0;
    for (var i = 0; i < Math.min(line - 1, lines.length); i++) offset += lines[i].length + 1;
    offset += Math.max(0, (column || 1) - 1);
    textarea.focus();
    textarea.setSelectionRange(offset, offset);
    var lineHeight = parseFloat(getComputedStyle(textarea).lineHeight) || 20;
    textarea.scrollTop = Math.max(0, (line - 4) * lineHeight);
    syncScroll();
  }

  function setText(text) {
    textarea.value = text;
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
    renderGutter();
  }

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function format(button) {
    var body = new FormData();
    body.append("schema_text", textarea.value);
    status.textContent = "Formatting…";
    fetch(button.dataset.formatUrl, { method: "POST", body: body, headers: { "X-CSRFToken": csrfToken() }, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        if (data.error) { status.textContent = data.error; return; }
        setText(data.text);
        status.textContent = "Formatted as " + data.format.toUpperCase() + ".";
      })
      .catch(function () { status.textContent = "Formatting failed; try again."; });
  }

  function init() {
    textarea = document.getElementById("id_schema_text");
    gutter = document.getElementById("schema-gutter");
    status = document.getElementById("schema-status");
    if (!textarea || !gutter) return;

    textarea.addEventListener("input", renderGutter);
    textarea.addEventListener("scroll", syncScroll);
    textarea.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { tabTraps = false; status.textContent = "Tab now moves to the next control."; return; }
      if (event.key === "Tab" && tabTraps && !event.shiftKey && !textarea.readOnly && !textarea.disabled) {
        event.preventDefault();
        var start = textarea.selectionStart, end = textarea.selectionEnd;
        textarea.setRangeText("  ", start, end, "end");
        textarea.dispatchEvent(new Event("input", { bubbles: true }));
      }
    });
    textarea.addEventListener("focus", function () { tabTraps = true; });

    document.addEventListener("click", function (event) {
      var link = event.target.closest("[data-goto-line]");
      if (link) gotoLine(parseInt(link.dataset.gotoLine, 10), parseInt(link.dataset.gotoColumn, 10));
    });
    // New findings arrived (the report is swapped in place): re-mark the gutter.
    document.addEventListener("htmx:afterSettle", renderGutter);

    var formatButton = document.getElementById("format-schema");
    if (formatButton) formatButton.addEventListener("click", function () { format(formatButton); });

    var fileInput = document.getElementById("id_schema_file");
    if (fileInput) {
      fileInput.addEventListener("change", function () {
        var file = fileInput.files && fileInput.files[0];
        if (!file) return;
        file.text().then(function (text) {
          setText(text);
          status.textContent = "Loaded " + file.name + " (" + text.split("\n").length + " lines).";
          fileInput.value = "";
        });
      });
    }
    renderGutter();
  }

  document.addEventListener("DOMContentLoaded", init);
})();
