// "Add a row" under a Django formset table: clone its empty row and count it in TOTAL_FORMS.
(function () {
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-add-row]");
    if (!button) return;
    var table = document.getElementById(button.dataset.addRow);
    var template = document.querySelector('template[data-row-for="' + button.dataset.addRow + '"]');
    var total = document.getElementById("id_" + table.dataset.prefix + "-TOTAL_FORMS");
    var index = parseInt(total.value, 10);
    table.tBodies[0].insertAdjacentHTML("beforeend", template.innerHTML.replace(/__prefix__/g, index));
    total.value = index + 1;
  });
})();
