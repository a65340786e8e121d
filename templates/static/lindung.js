/* Lindung: small enhancements on top of pages that work without them.
   1. Sortable tables: headers become buttons, aria-sort tells the order.
   2. The contribution calculator form on the program pages.
   No framework, no network: everything it needs is in the page. */
(function () {
  "use strict";

  function rupiah(n) {
    return "Rp" + String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ".");
  }

  function sortValue(cell, type) {
    var raw = cell.getAttribute("data-sort");
    if (raw === null) raw = cell.textContent.trim();
    if (raw === "") return null;
    if (type === "number") {
      var n = parseFloat(raw);
      return isNaN(n) ? null : n;
    }
    return raw.toLocaleLowerCase("id");
  }

  function sortTable(table, column, direction, status) {
    var headers = table.tHead.rows[0].cells;
    var type = headers[column].getAttribute("data-sort-type");
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var keyed = rows.map(function (row, i) {
      return { row: row, value: sortValue(row.cells[column], type), i: i };
    });
    var sign = direction === "ascending" ? 1 : -1;
    keyed.sort(function (a, b) {
      // Cells without a value (no target yet) stay at the bottom either way.
      if (a.value === null || b.value === null) {
        if (a.value === b.value) return a.i - b.i;
        return a.value === null ? 1 : -1;
      }
      if (a.value < b.value) return -sign;
      if (a.value > b.value) return sign;
      return a.i - b.i;
    });
    keyed.forEach(function (k) { body.appendChild(k.row); });
    for (var h = 0; h < headers.length; h++) {
      if (headers[h].hasAttribute("data-sort-type")) {
        headers[h].setAttribute("aria-sort", h === column ? direction : "none");
      }
    }
    if (status) {
      var abbr = headers[column].querySelector("abbr[title]");
      var label = abbr ? abbr.getAttribute("title") : headers[column].textContent.trim();
      status.textContent = "Diurutkan menurut " + label + ", " +
        (direction === "ascending" ? "naik" : "turun") + ".";
    }
  }

  function makeSortable(table) {
    var headers = table.tHead && table.tHead.rows[0] ? table.tHead.rows[0].cells : [];
    var status = document.createElement("p");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    table.parentNode.insertBefore(status, table.parentNode.firstChild);
    Array.prototype.forEach.call(headers, function (th, column) {
      var type = th.getAttribute("data-sort-type");
      if (!type) return;
      if (!th.hasAttribute("aria-sort")) th.setAttribute("aria-sort", "none");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "urut";
      while (th.firstChild) button.appendChild(th.firstChild);
      th.appendChild(button);
      button.addEventListener("click", function () {
        var now = th.getAttribute("aria-sort");
        // Numbers read best largest first; names and ranks from the top.
        var first = type === "number" && column > 0 ? "descending" : "ascending";
        var next = now === "none" ? first : (now === "ascending" ? "descending" : "ascending");
        sortTable(table, column, next, status);
      });
    });
    table.classList.add("bisa-urut");
  }

  function calculator(form) {
    var output = form.querySelector("output");
    var names = {};
    Array.prototype.forEach.call(form.querySelectorAll("input[name=paket]"), function (radio) {
      names[radio.value] = radio.parentNode.textContent.trim();
    });
    function update() {
      var tarif = form.elements.tarif.value;
      var paket = form.querySelector("input[name=paket]:checked").value;
      var months = parseInt(form.elements.bulan.value, 10);
      var people = parseInt(form.elements.orang.value, 10);
      var group = null;
      var groups = document.querySelectorAll("tbody[data-kode]");
      for (var g = 0; g < groups.length; g++) {
        if (groups[g].getAttribute("data-kode") === tarif) group = groups[g];
      }
      var data = group && group.getAttribute("data-bulanan-" + paket);
      if (!data || !(people >= 1) || !(months >= 1)) {
        output.textContent = "Isi jumlah pekerja dengan angka 1 atau lebih.";
        return;
      }
      var amounts = data.split(",").map(Number);
      var total = 0;
      for (var m = 0; m < months && m < amounts.length; m++) total += amounts[m];
      output.textContent = "Iuran " + names[paket] + " untuk " + people + " pekerja selama " + months +
        " bulan: " + rupiah(total * people) + ".";
    }
    form.addEventListener("input", update);
    form.addEventListener("change", update);
    form.addEventListener("submit", function (event) { event.preventDefault(); update(); });
    form.hidden = false;
    update();
  }

  // A table region that scrolls sideways (a very long name, a narrow phone)
  // says so above itself; the hint goes away when everything fits.
  function scrollHints() {
    Array.prototype.forEach.call(document.querySelectorAll(".table-wrap"), function (region) {
      var hint = region.previousElementSibling;
      if (!hint || !hint.classList.contains("geser")) {
        hint = document.createElement("p");
        hint.className = "geser";
        hint.textContent = "Geser tabel ke samping untuk melihat semua kolom \u2192";
        region.parentNode.insertBefore(hint, region);
      }
      hint.hidden = region.scrollWidth <= region.clientWidth + 1;
    });
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("table[data-sortable]"), makeSortable);
    scrollHints();
    window.addEventListener("resize", scrollHints);
    Array.prototype.forEach.call(document.querySelectorAll("form[data-kalkulator]"), calculator);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
