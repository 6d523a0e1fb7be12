// Progressive enhancement only: every page works without this file.
document.documentElement.classList.add("js");
document.querySelectorAll("select.js-autosubmit").forEach(function (select) {
  select.addEventListener("change", function () { select.form.submit(); });
});

// An error summary takes the focus, so keyboard and screen-reader users hear it first.
var summary = document.getElementById("error-summary");
if (summary) { summary.focus(); }

// Filter a long list of choices as one types (the server-side search still works without it).
document.querySelectorAll("input.js-filter-input").forEach(function (input) {
  var list = document.getElementById(input.dataset.filterTarget);
  if (!list) { return; }
  var status = document.getElementById("resolution-count");
  var items = Array.prototype.slice.call(list.querySelectorAll("[data-filter-text]"));
  function apply() {
    var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0;
    items.forEach(function (item) {
      var box = item.querySelector("input");
      var match = words.every(function (w) { return item.dataset.filterText.indexOf(w) !== -1; });
      item.hidden = !(match || (box && box.checked));
      if (!item.hidden) { shown += 1; }
    });
    if (status && words.length) {
      status.textContent = (list.dataset.shownLabel || "") + " " + shown;
    }
  }
  input.addEventListener("input", apply);
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter") { event.preventDefault(); apply(); }
  });
});
