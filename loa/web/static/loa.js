// loa web: confirmations for dangerous forms (no inline script: the page's CSP forbids it).
document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form.getAttribute && form.getAttribute("data-confirm");
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
