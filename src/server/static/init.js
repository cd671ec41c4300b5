// Starts GOV.UK Frontend's components (the pages work without it).
import { initAll } from '/static/govuk-frontend.min.js';
initAll();
