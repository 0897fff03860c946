// Knowledge upload: check ChatGPT's count and size limits before sending, then show progress
// (htmx's XHR progress events) while the file uploads.
(function () {
  "use strict";
  var SPREADSHEET = /\.(csv|tsv|xls|xlsx|ods)$/i;

  function mb(bytes) { return Math.round(bytes / (1024 * 1024)) + " MB"; }

  function problemWith(form, file) {
    var d = form.dataset;
    if (parseInt(d.fileCount, 10) >= parseInt(d.maxFiles, 10)) {
      return "A GPT holds at most " + d.maxFiles + " knowledge files; remove one first.";
    }
    if (file.size > parseInt(d.maxBytes, 10)) return "“" + file.name + "” is larger than ChatGPT's " + mb(d.maxBytes) + " limit.";
    if (file.type.indexOf("image/") === 0 && file.size > parseInt(d.maxImageBytes, 10)) {
      return "“" + file.name + "” is larger than ChatGPT's " + mb(d.maxImageBytes) + " limit for images.";
    }
    if (SPREADSHEET.test(file.name) && file.size > parseInt(d.maxSpreadsheetBytes, 10)) {
      return "“" + file.name + "” is larger than ChatGPT's " + mb(d.maxSpreadsheetBytes) + " limit for spreadsheets.";
    }
    return "";
  }

  document.addEventListener("htmx:confirm", function (event) {
    var form = event.target;
    if (form.id !== "knowledge-form") return;
    var input = form.querySelector("input[type=file]");
    var status = form.querySelector("#knowledge-status");
    var file = input.files && input.files[0];
    var problem = file ? problemWith(form, file) : "Choose a file first.";
    if (problem) {
      event.preventDefault();
      status.textContent = problem;
      status.classList.add("field-error");
      input.focus();
    } else {
      status.classList.remove("field-error");
      status.textContent = "Uploading " + file.name + "…";
    }
  });

  document.addEventListener("htmx:xhr:progress", function (event) {
    var form = event.target;
    if (form.id !== "knowledge-form" || !event.detail.lengthComputable) return;
    var progress = form.querySelector("progress");
    progress.hidden = false;
    progress.value = Math.round((event.detail.loaded / event.detail.total) * 100);
    form.querySelector("#knowledge-status").textContent = "Uploading… " + progress.value + "%";
  });
})();
