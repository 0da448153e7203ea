// When a page comes back with errors, start keyboard and screen reader users at the list
// of what to fix. Pages updated by htmx keep the focus where the user left it.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector(".portal-error-summary");
  if (summary) {
    summary.setAttribute("tabindex", "-1");
    summary.focus();
  }
});
