// GOV.UK Frontend's components: started on the page, and on whatever htmx swaps in later.
import { initAll } from "../vendor/govuk-frontend/govuk-frontend.min.js";

initAll();

// htmx fires htmx:load on each piece of new content it adds (and once on the body at start,
// which initAll above has already covered: starting a component twice is an error).
document.addEventListener("htmx:load", function (event) {
  if (event.target !== document.body) initAll({ scope: event.target });
});
