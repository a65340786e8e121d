/* Lindung search page: runs the query in ?q= against the Pagefind index.
   The index and Pagefind's own script load only here, only when searching. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-cari]");
  if (!form) return;
  var input = form.querySelector("input[name=q]");
  var status = document.getElementById("cari-status");
  var list = document.getElementById("cari-hasil");
  var query = (new URLSearchParams(location.search).get("q") || "").trim();
  input.value = query;
  if (!query) { input.focus(); return; }

  // Only text and <mark> from Pagefind's excerpt reach the page.
  function excerpt(html) {
    var out = document.createElement("span");
    var doc = new DOMParser().parseFromString(html, "text/html");
    doc.body.childNodes.forEach(function (node) {
      if (node.nodeName === "MARK") {
        var mark = document.createElement("mark");
        mark.textContent = node.textContent;
        out.appendChild(mark);
      } else {
        out.appendChild(document.createTextNode(node.textContent));
      }
    });
    return out;
  }

  status.textContent = "Mencari “" + query + "”…";
  var bundle = new URL(form.getAttribute("data-bundle"), location.href).href;
  var root = new URL(form.getAttribute("data-root"), location.href).pathname;
  import(bundle + "pagefind.js").then(function (pagefind) {
    return pagefind.options({ baseUrl: root }).then(function () {
      return pagefind.search(query);
    });
  }).then(function (search) {
    return Promise.all(search.results.slice(0, 10).map(function (r) { return r.data(); }))
      .then(function (pages) { return { total: search.results.length, pages: pages }; });
  }).then(function (found) {
    list.textContent = "";
    found.pages.forEach(function (page) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = page.url;
      link.textContent = (page.meta && page.meta.title) || page.url;
      var text = document.createElement("p");
      text.appendChild(excerpt(page.excerpt || ""));
      item.appendChild(link);
      item.appendChild(text);
      list.appendChild(item);
    });
    status.textContent = found.total
      ? found.total + " halaman cocok dengan “" + query + "”" + (found.total > 10 ? "; 10 teratas:" : ":")
      : "Tidak ada halaman yang cocok dengan “" + query + "”. Coba ejaan lain, atau pilih dari daftar di bawah.";
  }).catch(function () {
    status.textContent = "Pencarian tidak bisa dimuat. Pilih dari daftar di bawah.";
  });
})();
