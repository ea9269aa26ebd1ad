/* A date is typed the UK way (dd/mm/yyyy) in a text field, which is what the form sends; beside it a date
   picker (shown only when this script runs) fills that field in and follows what is typed. The picker has
   no name, so it is never sent: without the script the typed field alone still works. */
(function () {
  "use strict";
  var UK = /^\s*(\d{1,2})\/(\d{1,2})\/(\d{4})\s*$/;
  function pad(n) { return (n.length < 2 ? "0" : "") + n; }
  function targetOf(picker) { return document.getElementById(picker.getAttribute("data-fills")); }
  function follow(picker) {
    var target = targetOf(picker);
    var m = target ? UK.exec(target.value) : null;
    var day = m ? new Date(Date.UTC(+m[3], +m[2] - 1, +m[1])) : null;
    var real = day && day.getUTCFullYear() === +m[3] && day.getUTCMonth() === +m[2] - 1 && day.getUTCDate() === +m[1];
    picker.value = real ? m[3] + "-" + pad(m[2]) + "-" + pad(m[1]) : "";  // 31/02 is the server's to refuse
  }
  function init(root) {
    var pickers = root.querySelectorAll ? root.querySelectorAll("input[type=date][data-fills]") : [];
    for (var i = 0; i < pickers.length; i++) {
      if (targetOf(pickers[i])) { pickers[i].hidden = false; follow(pickers[i]); }
    }
  }
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (!(el instanceof HTMLInputElement)) { return; }
    if (el.type === "date" && el.hasAttribute("data-fills")) {
      var target = targetOf(el);
      if (target && el.value) {
        var p = el.value.split("-");
        target.value = p[2] + "/" + p[1] + "/" + p[0];
        target.dispatchEvent(new Event("change", { bubbles: true }));
      }
      event.stopPropagation();  // the picker is not a field of the form: only the typed one is saved
    } else {
      var pickers = document.querySelectorAll("input[type=date][data-fills='" + el.id + "']");
      for (var i = 0; i < pickers.length; i++) { follow(pickers[i]); }
    }
  }, true);
  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:load", function (event) { init(event.target); });
})();
