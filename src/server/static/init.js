// Starts GOV.UK Frontend's components (the pages work without it).
import { initAll } from '/static/govuk-frontend.min.js';
initAll();

// Regions that scroll sideways (wide tables, charts on a phone) say so in words, beside the shadow
// civic.css draws: the hint is linked to the region, and kept up to date as the window changes.
const regions = [...document.querySelectorAll('.civic-table-scroll')];
regions.forEach((region, i) => {
  const hint = document.createElement('p');
  hint.className = 'govuk-body-s civic-scroll-hint';
  hint.id = region.id ? `${region.id}-scroll-hint` : `civic-scroll-hint-${i + 1}`;
  const what = region.querySelector('table') ? 'table' : 'chart';
  hint.textContent = `This ${what} is wider than the page: scroll sideways to see all of it (or select it and use the arrow keys).`;
  hint.hidden = true;
  region.before(hint);
  const update = () => {
    const wide = region.scrollWidth > region.clientWidth + 1;
    hint.hidden = !wide;
    region.classList.toggle('civic-table-scroll--wide', wide);
    const ids = (region.getAttribute('aria-describedby') || '').split(' ').filter((x) => x && x !== hint.id);
    if (wide) ids.push(hint.id);
    if (ids.length) region.setAttribute('aria-describedby', ids.join(' '));
    else region.removeAttribute('aria-describedby');
  };
  update();
  if ('ResizeObserver' in window) new ResizeObserver(update).observe(region);
  else window.addEventListener('resize', update);
});
