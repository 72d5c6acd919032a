/* Sends the CMI form on its own; the visible button does the same without JavaScript. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosubmit]");
  if (!form || form.dataset.sent) { return; }
  form.dataset.sent = "1";
  window.setTimeout(function () { form.submit(); }, 400);
}());
