// Running total of the grading form: the sum of the chosen level points,
// and whether it reaches the task's pass points. The form works without it.
(function () {
  "use strict";
  var form = document.getElementById("grading-form");
  if (!form) return;
  var out = document.getElementById("running-total");
  var pass = parseFloat(form.getAttribute("data-pass"));
  function update() {
    var total = 0;
    var chosen = 0;
    var groups = form.querySelectorAll("fieldset.criterion");
    groups.forEach(function (g) {
      var picked = g.querySelector("input[type=radio]:checked");
      g.classList.toggle("done", !!picked);
      if (picked) {
        chosen += 1;
        total += parseFloat(picked.getAttribute("data-points"));
      }
    });
    var text = String(total).replace(".", ",") + " poin";
    if (chosen < groups.length) text += " (" + chosen + " dari " + groups.length + " kriteria)";
    else text += total >= pass ? " — memenuhi batas lulus" : " — di bawah batas lulus, komentar wajib";
    out.textContent = text;
    out.classList.toggle("below", chosen === groups.length && total < pass);
  }
  form.addEventListener("change", update);
  update();
})();
