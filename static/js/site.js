// Progressive enhancement only: every page works without this file.
document.documentElement.classList.add("js");
document.querySelectorAll("select.js-autosubmit").forEach(function (select) {
  select.addEventListener("change", function () { select.form.submit(); });
});
