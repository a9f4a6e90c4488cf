// Quiz editor helpers: a button of the tag table adds its rule to the rules
// box, and the essay warning follows what the box says. The form works
// without it (the server shows the warning once the rules are saved).
(function () {
  "use strict";
  var box = document.getElementById("quiz-rules");
  var warning = document.getElementById("essay-warning");
  if (!box) return;
  function essays() {
    return box.value.split("\n").some(function (line) {
      return /(^|[\s,|:])(essay|esai)(\s|\||,|$)/i.test(line) && /\b(type|tipe|jenis)\b/i.test(line);
    });
  }
  function update() {
    if (warning) warning.hidden = !essays();
  }
  document.querySelectorAll("button[data-rule]").forEach(function (button) {
    button.addEventListener("click", function () {
      var text = box.value.replace(/\s+$/, "");
      box.value = (text ? text + "\n" : "") + button.getAttribute("data-rule");
      update();
      box.focus();
    });
  });
  box.addEventListener("input", update);
  update();
})();
