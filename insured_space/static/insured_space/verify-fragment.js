// A phone camera opens /verifier/#v1.…: copy the fragment (never sent to the server) into the
// «Code de vérification» field, so one press of «Vérifier» checks it. Without JavaScript, paste it.
(function () {
  "use strict";
  var code = window.location.hash.slice(1);
  var field = document.getElementById("id_code");
  if (!field || code.indexOf("v1.") !== 0 || field.value) { return; }
  field.value = decodeURIComponent(code);
  var button = field.form && field.form.querySelector("button[type=submit]");
  if (button) { button.focus(); }
}());
