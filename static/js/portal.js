// When a page comes back with errors, start keyboard and screen reader users at the list
// of what to fix.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector(".portal-error-summary");
  if (summary) {
    summary.setAttribute("tabindex", "-1");
    summary.focus();
  }
});

// htmx puts the focus back on an element that the swap replaced with one of the same id.
// Where there is none (a form swapped whole), focus would fall to the page, so it goes to
// the first field marked invalid, or else to the message that the swap brought.
document.addEventListener("htmx:afterSettle", function (event) {
  if (document.activeElement && document.activeElement !== document.body) {
    return;
  }
  // With an outerHTML swap the target is the replaced element, so find its successor by id.
  var target = event.detail.target;
  var swapped = target && target.id ? document.getElementById(target.id) : event.target;
  if (!swapped || !swapped.isConnected) {
    return;
  }
  var next = swapped.querySelector('[aria-invalid="true"]') ||
    swapped.querySelector(".usa-alert[role=status], .usa-alert[role=alert], [role=status]");
  if (next) {
    if (!next.matches("input, select, textarea, button, a[href]")) {
      next.setAttribute("tabindex", "-1");
    }
    next.focus();
  }
});
