/* «ou sélectionner dans le calendrier» (seed 001): a calendar button next to each date field.

   Progressive enhancement: the server renders a plain text input typed jj/mm/aaaa, which works without
   JavaScript; this script finds those inputs by their placeholder (given, translated, on its own <script>
   tag) and adds a button that opens a dialog with a grid of days (WAI-ARIA date picker dialog pattern).
   Keyboard: arrows move by day/week (mirrored right to left), Home/End to the week's ends, Page Up/Down by
   month (with Shift by year), Enter or Space picks, Escape closes; focus returns to the button. Digits are
   always Western; month and day names come from the page's language. No inline script or style (CSP). */
(function () {
  "use strict";

  var script = document.querySelector("script[data-date-picker]");
  if (!script || !document.querySelectorAll) {
    return;
  }
  var text = script.dataset;
  var months = text.months.split(",");
  var days = text.days.split(",");
  var dayAbbr = text.dayAbbr.split(",");
  var rtl = document.documentElement.dir === "rtl";
  var uid = 0;

  function pad(n) {
    return (n < 10 ? "0" : "") + n;
  }

  function format(d) {
    return pad(d.getDate()) + "/" + pad(d.getMonth() + 1) + "/" + d.getFullYear();
  }

  function iso(d) {
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate());
  }

  function parse(value) {
    var m = /^\s*(\d{1,2})[\/\-.](\d{1,2})[\/\-.](\d{4})\s*$/.exec(value || "");
    if (!m) {
      return null;
    }
    var d = new Date(+m[3], +m[2] - 1, +m[1]);
    return d.getMonth() === +m[2] - 1 ? d : null;
  }

  function addDays(d, n) {
    return new Date(d.getFullYear(), d.getMonth(), d.getDate() + n);
  }

  function addMonths(d, n) {
    var target = new Date(d.getFullYear(), d.getMonth() + n, 1);
    var last = new Date(target.getFullYear(), target.getMonth() + 1, 0).getDate();
    return new Date(target.getFullYear(), target.getMonth(), Math.min(d.getDate(), last));
  }

  function mondayIndex(d) {
    return (d.getDay() + 6) % 7; /* Monday first, as in Morocco */
  }

  function el(tag, className, attrs) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    Object.keys(attrs || {}).forEach(function (name) {
      node.setAttribute(name, attrs[name]);
    });
    return node;
  }

  function arrowButton(className, arrow, label) {
    var button = el("button", "button " + className, { type: "button" });
    var glyph = el("span", "", { "aria-hidden": "true" });
    glyph.textContent = arrow;
    var name = el("span", "visually-hidden");
    name.textContent = label;
    button.appendChild(glyph);
    button.appendChild(name);
    return button;
  }

  function enhance(input) {
    uid += 1;
    var id = "date-picker-" + uid;
    var wrapper = el("span", "date-picker");
    input.parentNode.insertBefore(wrapper, input);
    wrapper.appendChild(input);

    var opener = el("button", "button date-picker-open", {
      type: "button",
      "aria-haspopup": "dialog",
      "aria-expanded": "false",
    });
    opener.textContent = text.open;
    /* The field's label describes the button ("Calendrier, Date de naissance") without being part of
       its name or of any text: the page's labels keep naming their own field only. */
    var label = input.id && document.querySelector('label[for="' + input.id + '"]');
    if (label) {
      label.id = label.id || input.id + "-label";
      opener.setAttribute("aria-describedby", label.id);
    }
    wrapper.appendChild(opener);

    var dialog = el("div", "date-picker-dialog", {
      id: id,
      role: "dialog",
      "aria-modal": "true",
      "aria-labelledby": id + "-title",
    });
    var title = el("h2", "date-picker-title", { id: id + "-title" });
    /* Only "Choisir une date": with the field's label in it, the dialog would answer to that label too. */
    title.textContent = text.title;
    var nav = el("div", "date-picker-nav");
    /* Arrows point the way the months go: mirrored right to left. */
    var prev = arrowButton("date-picker-prev", rtl ? "\u203a" : "\u2039", text.previous);
    var next = arrowButton("date-picker-next", rtl ? "\u2039" : "\u203a", text.next);
    var monthSelect = el("select", "date-picker-month", { "aria-label": text.month });
    months.forEach(function (name, index) {
      var option = el("option", "", { value: String(index) });
      option.textContent = name;
      monthSelect.appendChild(option);
    });
    var yearInput = el("input", "date-picker-year", {
      type: "text",
      inputmode: "numeric",
      dir: "ltr",
      maxlength: "4",
      size: "4",
      "aria-label": text.year,
      autocomplete: "off",
    });
    nav.appendChild(prev);
    nav.appendChild(monthSelect);
    nav.appendChild(yearInput);
    nav.appendChild(next);
    var status = el("p", "visually-hidden", { "aria-live": "polite" });
    var grid = el("table", "date-picker-grid", { role: "grid", "aria-labelledby": id + "-title" });
    var head = el("thead");
    var headRow = el("tr");
    days.forEach(function (name, index) {
      var th = el("th", "", { scope: "col", abbr: name });
      th.textContent = dayAbbr[index];
      headRow.appendChild(th);
    });
    head.appendChild(headRow);
    var body = el("tbody");
    grid.appendChild(head);
    grid.appendChild(body);
    var close = el("button", "link-button date-picker-close", { type: "button" });
    close.textContent = text.close;
    dialog.appendChild(title);
    dialog.appendChild(nav);
    dialog.appendChild(status);
    dialog.appendChild(grid);
    dialog.appendChild(close);
    /* The dialog is in the document only while it is open. */

    var focused = new Date();

    function render(moveFocus) {
      monthSelect.value = String(focused.getMonth());
      yearInput.value = String(focused.getFullYear());
      status.textContent = months[focused.getMonth()] + " " + focused.getFullYear();
      while (body.firstChild) {
        body.removeChild(body.firstChild);
      }
      var first = new Date(focused.getFullYear(), focused.getMonth(), 1);
      var day = addDays(first, -mondayIndex(first));
      var chosen = parse(input.value);
      var today = new Date();
      for (var week = 0; week < 6; week += 1) {
        var row = el("tr");
        for (var i = 0; i < 7; i += 1) {
          var cell = el("td");
          if (day.getMonth() === focused.getMonth()) {
            var isFocused = day.getDate() === focused.getDate();
            var button = el("button", "date-picker-day", {
              type: "button",
              tabindex: isFocused ? "0" : "-1",
              "data-date": iso(day),
              "aria-label": days[mondayIndex(day)] + " " + day.getDate() + " " + months[day.getMonth()] + " " + day.getFullYear(),
            });
            button.textContent = String(day.getDate());
            if (chosen && iso(chosen) === iso(day)) {
              button.setAttribute("aria-pressed", "true");
            }
            if (iso(today) === iso(day)) {
              button.setAttribute("aria-current", "date");
            }
            cell.appendChild(button);
          }
          row.appendChild(cell);
          day = addDays(day, 1);
        }
        if (row.querySelector("button") || week < 5) {
          body.appendChild(row);
        }
      }
      if (moveFocus) {
        body.querySelector('button[tabindex="0"]').focus();
      }
    }

    function open() {
      focused = parse(input.value) || new Date();
      wrapper.appendChild(dialog);
      opener.setAttribute("aria-controls", id);
      opener.setAttribute("aria-expanded", "true");
      render(true);
    }

    function shut() {
      dialog.remove();
      opener.removeAttribute("aria-controls");
      opener.setAttribute("aria-expanded", "false");
      opener.focus();
    }

    function pick(date) {
      input.value = format(date);
      input.dispatchEvent(new Event("input", { bubbles: true }));
      input.dispatchEvent(new Event("change", { bubbles: true }));
      shut();
    }

    opener.addEventListener("click", function () {
      if (!dialog.isConnected) {
        open();
      } else {
        shut();
      }
    });
    prev.addEventListener("click", function () {
      focused = addMonths(focused, -1);
      render(false);
    });
    next.addEventListener("click", function () {
      focused = addMonths(focused, 1);
      render(false);
    });
    monthSelect.addEventListener("change", function () {
      focused = addMonths(focused, +monthSelect.value - focused.getMonth());
      render(false);
    });
    yearInput.addEventListener("change", function () {
      var year = parseInt(yearInput.value, 10);
      if (year >= 1900 && year <= 2100) {
        focused = addMonths(focused, (year - focused.getFullYear()) * 12);
      }
      render(false);
    });
    close.addEventListener("click", shut);
    body.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-date]");
      if (button) {
        var parts = button.dataset.date.split("-");
        pick(new Date(+parts[0], +parts[1] - 1, +parts[2]));
      }
    });
    body.addEventListener("keydown", function (event) {
      var forward = rtl ? -1 : 1;
      var moves = {
        ArrowRight: function () { return addDays(focused, forward); },
        ArrowLeft: function () { return addDays(focused, -forward); },
        ArrowDown: function () { return addDays(focused, 7); },
        ArrowUp: function () { return addDays(focused, -7); },
        Home: function () { return addDays(focused, -mondayIndex(focused)); },
        End: function () { return addDays(focused, 6 - mondayIndex(focused)); },
        PageUp: function () { return addMonths(focused, event.shiftKey ? -12 : -1); },
        PageDown: function () { return addMonths(focused, event.shiftKey ? 12 : 1); },
      };
      if (moves[event.key]) {
        event.preventDefault();
        focused = moves[event.key]();
        render(true);
      } else if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        pick(focused);
      }
    });
    dialog.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        event.preventDefault();
        shut();
      } else if (event.key === "Tab") {
        /* aria-modal: Tab cycles inside the dialog */
        var stops = Array.prototype.filter.call(
          dialog.querySelectorAll("button, select, input"),
          function (node) { return node.tabIndex >= 0 && !node.disabled; }
        );
        var index = stops.indexOf(document.activeElement);
        if (event.shiftKey && index <= 0) {
          event.preventDefault();
          stops[stops.length - 1].focus();
        } else if (!event.shiftKey && index === stops.length - 1) {
          event.preventDefault();
          stops[0].focus();
        }
      }
    });
    document.addEventListener("click", function (event) {
      if (dialog.isConnected && !wrapper.contains(event.target)) {
        dialog.remove();
        opener.removeAttribute("aria-controls");
        opener.setAttribute("aria-expanded", "false");
      }
    });
  }

  function start() {
    var selector = 'input[type="text"][inputmode="numeric"][placeholder="' + text.placeholder.replace(/"/g, '\\"') + '"]';
    Array.prototype.forEach.call(document.querySelectorAll(selector), enhance);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
