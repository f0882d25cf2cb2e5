// loa web: confirmations for dangerous forms (no inline script: the page's CSP forbids it).
// The question is on the button pressed (a form with several actions: save, remove) or else
// on the form.
document.addEventListener("submit", function (event) {
  var form = event.target;
  var button = event.submitter;
  var question = (button && button.getAttribute("data-confirm")) ||
    (form.getAttribute && form.getAttribute("data-confirm"));
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
document.addEventListener("click", function (event) {
  var link = event.target.closest && event.target.closest("a[data-back]");
  if (link) {
    event.preventDefault();
    history.back();
  }
});
// The week page: an entry's "move to" list is filled from its channel's one <template> when
// its tools open (a week shows ~180 entries: a list in each would make the page 400 KiB).
document.addEventListener("toggle", function (event) {
  var details = event.target;
  if (!details.matches || !details.matches("details.tools") || !details.open) {
    return;
  }
  details.querySelectorAll("select[data-targets]").forEach(function (select) {
    if (select.options.length) {
      return;
    }
    var source = document.getElementById("targets-" + select.getAttribute("data-targets"));
    if (source) {
      select.appendChild(source.content.cloneNode(true));
    }
  });
}, true);
