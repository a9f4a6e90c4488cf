// Live preview of the next certificate number while the pattern is typed.
// Without it the page's "Pratinjau nomor" button shows the same.
(function () {
  "use strict";
  var form = document.getElementById("certificate-settings");
  if (!form) return;
  var input = document.getElementById("number_pattern");
  var out = document.getElementById("nomor-berikutnya");
  var url = form.getAttribute("data-preview");
  var timer = null;
  var asked = 0;
  function show(body) {
    out.textContent = "";
    if (body.number) {
      out.appendChild(document.createTextNode("Nomor sertifikat berikutnya: "));
      var strong = document.createElement("strong");
      strong.setAttribute("data-role", "number");
      strong.textContent = body.number;
      out.appendChild(strong);
    } else {
      var span = document.createElement("span");
      span.className = "alert error";
      span.setAttribute("data-role", "problem");
      span.textContent = "Pola belum dapat dipakai: " + (body.problem || "");
      out.appendChild(span);
    }
  }
  function ask() {
    var mine = ++asked;
    fetch(url + "?pattern=" + encodeURIComponent(input.value), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (body) { if (body && mine === asked) show(body); })
      .catch(function () {});
  }
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(ask, 250);
  });
})();
