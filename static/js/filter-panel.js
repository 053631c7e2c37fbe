/* The list pages' filter panel (a <details>, open without JavaScript): it stays as the reader
   last left it on a laptop (localStorage), and starts closed on a phone, so that the data comes
   first and the filters open from their button. Loaded right after the panel, before the page
   is drawn, so that a closed panel never shows open first. */
(function () {
  "use strict";
  var panel = document.getElementById("filter-panel");
  if (!panel) return;
  var KEY = "kb.filter-panel";
  var phone = window.matchMedia("(max-width: 60rem)");

  function stored() {
    try { return window.localStorage.getItem(KEY); } catch (error) { return null; }
  }

  if (phone.matches || stored() === "closed") panel.open = false;
  panel.addEventListener("toggle", function () {
    if (phone.matches) return;  // a phone's choice is not a laptop's
    try { window.localStorage.setItem(KEY, panel.open ? "open" : "closed"); } catch (error) { /* private mode */ }
  });
})();
