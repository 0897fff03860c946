// Conversation starters: add, remove and reorder rows (keyboard reachable buttons), keep one empty
// row at the end like ChatGPT's editor, count against the limit and mark the ones ChatGPT shows.
(function () {
  "use strict";
  var list, template, counter, addButton, max, shown;

  function rows() { return Array.prototype.slice.call(list.querySelectorAll(".starter")); }

  function renumber() {
    var all = rows();
    var filled = 0;
    all.forEach(function (row, index) {
      var n = index + 1;
      var input = row.querySelector("input");
      var label = row.querySelector("label");
      input.id = "starter-" + n;
      label.setAttribute("for", input.id);
      label.textContent = "Conversation starter " + n;
      row.classList.toggle("shown", n <= shown);
      row.querySelector(".shown-tag").textContent = n <= shown ? "Shown" : "Not shown";
      row.querySelectorAll("[data-starter-move]").forEach(function (button) {
        var up = button.dataset.starterMove === "-1";
        button.setAttribute("aria-label", "Move starter " + n + (up ? " up" : " down"));
        button.disabled = up ? index === 0 : index === all.length - 1;
      });
      var remove = row.querySelector("[data-starter-remove]");
      if (remove) remove.setAttribute("aria-label", "Remove starter " + n);
      if (input.value.trim()) filled += 1;
    });
    counter.textContent = filled + " / " + max + " starters · the first " + shown + " are shown on the GPT's page";
    counter.classList.toggle("over", all.length > max);
    if (addButton) addButton.disabled = all.length >= max;
  }

  function addRow(focus) {
    if (rows().length >= max) return null;
    var row = template.content.firstElementChild.cloneNode(true);
    row.querySelector("input").value = "";
    list.appendChild(row);
    renumber();
    if (focus) row.querySelector("input").focus();
    return row;
  }

  function ensureTrailingEmpty() {
    var all = rows();
    var last = all[all.length - 1];
    if (!last || last.querySelector("input").value.trim()) addRow(false);
  }

  function init() {
    list = document.getElementById("starters");
    template = document.getElementById("starter-template");
    counter = document.getElementById("starter-count");
    addButton = document.getElementById("add-starter");
    if (!list || !template || !counter) return;
    max = parseInt(list.dataset.max, 10);
    shown = parseInt(list.dataset.shown, 10);

    list.addEventListener("input", function () { ensureTrailingEmpty(); renumber(); });
    list.addEventListener("click", function (event) {
      var button = event.target.closest("button");
      if (!button) return;
      var row = button.closest(".starter");
      if (button.hasAttribute("data-starter-remove")) {
        var next = row.nextElementSibling || row.previousElementSibling;
        row.remove();
        if (!rows().length) addRow(false);
        renumber();
        var target = next && next.querySelector("input");
        if (target) target.focus();
      } else if (button.dataset.starterMove) {
        if (button.dataset.starterMove === "-1" && row.previousElementSibling) {
          list.insertBefore(row, row.previousElementSibling);
        } else if (button.dataset.starterMove === "1" && row.nextElementSibling) {
          list.insertBefore(row.nextElementSibling, row);
        }
        renumber();
        if (!button.disabled) button.focus(); else row.querySelector("input").focus();
      }
      // A removed or moved starter is a change of the form (unsaved-changes.js listens for it).
      list.dispatchEvent(new Event("change", { bubbles: true }));
    });
    if (addButton) addButton.addEventListener("click", function () { addRow(true); });
    renumber();
  }

  document.addEventListener("DOMContentLoaded", init);
})();
