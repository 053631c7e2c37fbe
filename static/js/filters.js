/* Long lists of checkboxes in the filter forms (countries): a box above the list narrows it to
   the options with a word starting with what is typed, in any case, with or without accents (or
   with that ISO code); ticked options stay in view. Without JavaScript the list is the same checkboxes, all shown. */
(function () {
  "use strict";
  var LONG = 12;  // more options than this get the box

  function folded(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().trim();
  }

  document.querySelectorAll("form.filters fieldset").forEach(function (fieldset, n) {
    var options = Array.prototype.slice.call(fieldset.querySelectorAll("input[type=checkbox]"));
    if (options.length <= LONG) return;
    var list = options[0].closest("label").parentNode.parentNode;
    var legend = fieldset.querySelector("legend");
    var name = legend ? legend.textContent.trim() : "options";

    var box = document.createElement("div");
    box.className = "choice-search";
    var label = document.createElement("label");
    label.htmlFor = "choice-search-" + n;
    label.textContent = "Find in " + name.toLowerCase();
    var input = document.createElement("input");
    input.type = "search";
    input.id = "choice-search-" + n;
    input.autocomplete = "off";
    if (list.id) input.setAttribute("aria-controls", list.id);
    var status = document.createElement("p");
    status.className = "choice-status";
    status.setAttribute("aria-live", "polite");
    box.appendChild(label);
    box.appendChild(input);
    box.appendChild(status);
    list.parentNode.insertBefore(box, list);
    list.classList.add("long-choices");

    function narrow() {
      var wanted = folded(input.value), shown = 0;
      options.forEach(function (option) {
        var row = option.closest("label").parentNode;
        var words = " " + folded(option.closest("label").textContent).replace(/[^a-z0-9]+/g, " ");
        var match = !wanted || option.checked || option.value.toLowerCase() === wanted ||
          words.indexOf(" " + wanted.replace(/[^a-z0-9]+/g, " ")) !== -1;
        row.hidden = !match;
        if (match) shown += 1;
      });
      status.textContent = wanted ? shown + " of " + options.length + " shown" : "";
    }
    input.addEventListener("input", narrow);
    // Enter in the box narrows the list; it does not submit the form half-filled.
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") event.preventDefault();
    });
  });
})();
