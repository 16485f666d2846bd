// Behaviour the pages declare in data attributes, so the Content-Security-Policy needs no
// inline script: data-confirm asks before a form is sent, data-autosubmit sends its form on change.
document.addEventListener("submit", function (event) {
  var message = event.target.dataset && event.target.dataset.confirm;
  if (message && !window.confirm(message)) event.preventDefault();
});
document.addEventListener("change", function (event) {
  if (event.target.dataset && "autosubmit" in event.target.dataset && event.target.form) event.target.form.submit();
});
