/* Say at once when a chosen file is over the upload limit, and do not send it: the server refuses it anyway
   (413, before reading it), but a browser whose large upload is cut off may show a broken connection
   instead of the server's page. Without this script the server's refusal still stands. */
(function () {
  "use strict";
  function tooBig(input) {
    var limit = Number(input.getAttribute("data-max-bytes"));
    var file = input.files && input.files[0];
    return file && limit && file.size > limit ? file : null;
  }
  function say(input) {
    var note = document.getElementById(input.id + "-size");
    var file = tooBig(input);
    if (!note) { return file; }
    if (file) {
      var mb = function (n) { return (n / 1048576).toFixed(1) + " MB"; };
      note.textContent = "Error: " + file.name + " is " + mb(file.size) + "; a file may be at most " +
        mb(Number(input.getAttribute("data-max-bytes"))) + ". Choose a smaller file.";
      note.hidden = false;
      input.setAttribute("aria-invalid", "true");
    } else {
      note.textContent = "";
      note.hidden = true;
    }
    return file;
  }
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input instanceof HTMLInputElement && input.type === "file" && input.hasAttribute("data-max-bytes")) {
      say(input);
    }
  });
  document.addEventListener("submit", function (event) {
    var inputs = event.target.querySelectorAll("input[type=file][data-max-bytes]");
    for (var i = 0; i < inputs.length; i += 1) {
      if (say(inputs[i])) {
        event.preventDefault();
        inputs[i].focus();
        return;
      }
    }
  });
}());
