// Names for the admin's autocomplete boxes (select2): its combobox is labelled by the text of the
// current choice only, so an empty box has no name, and the choice's display claims to be a
// text box. Each combobox is named by its field's label (or, in a table row, its column's name
// given as the select's aria-label) followed by the current choice.
"use strict";
(function () {
  function fieldName(select) {
    const named = select.getAttribute("aria-label");
    if (named) return named;
    const label = select.id && document.querySelector('label[for="' + select.id + '"]');
    return label ? label.textContent.trim().replace(/:$/, "") : select.name;
  }

  function nameAutocompletes(root) {
    root.querySelectorAll("select.admin-autocomplete").forEach(function (select) {
      const container = select.nextElementSibling;
      if (!container || !container.classList.contains("select2")) return;
      const combobox = container.querySelector(".select2-selection[role=combobox]");
      const shown = container.querySelector(".select2-selection__rendered");
      if (!combobox || !shown || combobox.dataset.named) return;
      const name = document.createElement("span");
      name.id = (select.id || select.name) + "-box-name";
      name.className = "visually-hidden";
      name.textContent = fieldName(select);
      container.appendChild(name);
      shown.removeAttribute("role");
      shown.removeAttribute("aria-readonly");
      combobox.setAttribute("aria-labelledby", name.id + " " + shown.id);
      combobox.dataset.named = "1";
    });
  }

  // Django sets up each autocomplete (on page load, and in each inline row added) by inserting
  // select2's box after the select: name each box as it appears.
  function start() {
    nameAutocompletes(document);
    new MutationObserver(function () { nameAutocompletes(document); })
      .observe(document.body, { childList: true, subtree: true });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
