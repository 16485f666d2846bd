// Forms with data-confirm ask first: every action that changes a contract, money or access.
document.addEventListener("submit", function (event) {
  var message = event.target.dataset && event.target.dataset.confirm;
  if (message && !window.confirm(message)) event.preventDefault();
});
// Selects with data-autosubmit send their form on change (no inline handler: the CSP forbids them).
document.addEventListener("change", function (event) {
  if (event.target.dataset && "autosubmit" in event.target.dataset && event.target.form) event.target.form.submit();
});
