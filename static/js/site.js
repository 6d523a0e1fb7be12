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

// Uploads show their progress: the form is sent by XMLHttpRequest (same fields, same server
// answer); without scripts it is an ordinary form post.
document.querySelectorAll("form[data-upload-progress]").forEach(function (form) {
  form.addEventListener("submit", function (event) {
    var files = Array.prototype.some.call(form.querySelectorAll("input[type=file]"), function (input) {
      return input.files && input.files.length;
    });
    if (!files || !window.FormData) { return; }
    event.preventDefault();
    var box = form.querySelector(".upload-progress");
    var bar = box && box.querySelector("progress");
    var text = box && box.querySelector(".upload-progress-text");
    if (box) { box.hidden = false; }
    var button = form.querySelector("button[type=submit]");
    if (button) { button.disabled = true; }
    var request = new XMLHttpRequest();
    request.open("POST", form.action || window.location.href);
    request.upload.addEventListener("progress", function (e) {
      if (!e.lengthComputable || !bar) { return; }
      var percent = Math.round((e.loaded / e.total) * 100);
      bar.value = percent;
      if (text) { text.textContent = percent + "%"; }
    });
    request.addEventListener("load", function () {
      if (request.responseURL && request.responseURL !== (form.action || window.location.href)) {
        window.location.assign(request.responseURL);
        return;
      }
      document.open();
      document.write(request.responseText);
      document.close();
    });
    request.addEventListener("error", function () { form.submit(); });
    request.send(new FormData(form));
  });
});

// A file picker that also takes a dropped file, and says which file was chosen.
document.querySelectorAll(".file-field input[type=file], .field input[type=file]").forEach(function (input) {
  var field = input.closest(".field");
  if (!field) { return; }
  ["dragenter", "dragover"].forEach(function (name) {
    input.addEventListener(name, function () { field.classList.add("is-dragging"); });
  });
  ["dragleave", "drop"].forEach(function (name) {
    input.addEventListener(name, function () { field.classList.remove("is-dragging"); });
  });
});

// An import being checked or applied by a background task: follow its progress, then reload.
document.querySelectorAll("[data-progress-url]").forEach(function (box) {
  var bar = box.querySelector("progress");
  var done = box.querySelector(".import-progress-done");
  function poll() {
    fetch(box.dataset.progressUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        if (!data.busy) { window.location.reload(); return; }
        if (data.total) { bar.max = data.total; bar.value = data.done; } else { bar.removeAttribute("value"); }
        if (done) { done.textContent = data.done; }
        window.setTimeout(poll, 1500);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
});
