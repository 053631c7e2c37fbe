/* Place fields: as one types, suggest places by name (a <datalist> filled from
   /locations/suggest.json); what is sent is still the place's slug, so the form works the same
   without JavaScript. Every suggestion goes in as text. */
(function () {
  "use strict";
  if (!window.fetch) return;
  document.querySelectorAll("input[data-suggest]").forEach(function (input, n) {
    var list = document.createElement("datalist");
    list.id = "suggest-" + n;
    input.setAttribute("list", list.id);
    input.parentNode.appendChild(list);
    var timer = null, asked = "";
    function fill(suggestions) {
      while (list.firstChild) list.removeChild(list.firstChild);
      suggestions.forEach(function (s) {
        var option = document.createElement("option");
        option.value = s.value;
        option.label = s.label;
        option.textContent = s.label;
        list.appendChild(option);
      });
    }
    input.addEventListener("input", function () {
      var text = input.value.trim();
      if (text.length < 2 || text === asked) return;
      clearTimeout(timer);
      timer = setTimeout(function () {
        asked = text;
        var url = input.dataset.suggest + "?" + new URLSearchParams({ q: text }).toString();
        fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then(function (r) { return r.ok ? r.json() : { suggestions: [] }; })
          .then(function (data) { fill(data.suggestions || []); })
          .catch(function () {});
      }, 150);
    });
  });
})();
