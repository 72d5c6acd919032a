/* Updates «Montant total (DH)» as boxes are ticked; the server recomputes it anyway («Recalculer»). */
(function () {
  "use strict";
  var form = document.querySelector("form[data-dues-form]");
  var output = document.getElementById("dues-total");
  if (!form || !output) { return; }
  function cents(text) {
    var parts = text.split(".");
    return parseInt(parts[0], 10) * 100 + parseInt((parts[1] || "0").padEnd(2, "0").slice(0, 2), 10);
  }
  function update() {
    var total = 0;
    form.querySelectorAll("input[name=dues]:checked").forEach(function (box) { total += cents(box.dataset.amount); });
    output.textContent = Math.floor(total / 100) + "." + String(total % 100).padStart(2, "0");
  }
  form.addEventListener("change", function (event) { if (event.target.name === "dues") { update(); } });
}());
