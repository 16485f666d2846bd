// Behaviour the pages declare in data attributes, so the Content-Security-Policy needs no
// inline script: data-confirm asks before a form is sent, data-autosubmit sends its form on change.
document.addEventListener("submit", function (event) {
  var message = event.target.dataset && event.target.dataset.confirm;
  if (message && !window.confirm(message)) event.preventDefault();
});
document.addEventListener("change", function (event) {
  if (event.target.dataset && "autosubmit" in event.target.dataset && event.target.form) event.target.form.submit();
});
// data-select: a read-only field (a link to copy) selects its whole text when tapped.
document.addEventListener("click", function (event) {
  if (event.target.dataset && "select" in event.target.dataset && event.target.select) event.target.select();
});
// data-locate="form-id": fill the form's lat/lng fields from the device's position and send it;
// data-locate-error names the hint shown when the position is refused or unavailable.
document.addEventListener("click", function (event) {
  var button = event.target.closest && event.target.closest("[data-locate]");
  if (!button) return;
  var form = document.getElementById(button.dataset.locate);
  var hint = document.getElementById(button.dataset.locateError);
  var fail = function () { if (hint) hint.style.display = "block"; };
  if (!form || !navigator.geolocation) { fail(); return; }
  navigator.geolocation.getCurrentPosition(function (position) {
    form.elements.lat.value = position.coords.latitude.toFixed(6);
    form.elements.lng.value = position.coords.longitude.toFixed(6);
    form.submit();
  }, fail);
});
// data-scroll-current: a sideways strip (days to pick) opens with its current item in view.
document.querySelectorAll("[data-scroll-current]").forEach(function (strip) {
  var current = strip.querySelector("[aria-current]");
  if (!current) return;
  var box = strip.getBoundingClientRect(), item = current.getBoundingClientRect();
  strip.scrollLeft += item.left - box.left - (box.width - item.width) / 2;
});
