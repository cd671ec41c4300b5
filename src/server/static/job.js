// Job page: asks for the job's progress every second and shows it; reloads the page when it ends.
// Without JavaScript the page refreshes itself (a <noscript> refresh) instead.
const box = document.querySelector('[data-module="civic-job"]');
if (box) {
  const stage = box.querySelector('#job-stage');
  const bar = box.querySelector('#job-progress');
  const tick = async () => {
    try {
      const res = await fetch(`/jobs/${encodeURIComponent(box.dataset.job)}.json`, { credentials: 'same-origin', cache: 'no-store' });
      if (res.ok) {
        const j = await res.json();
        if (j.status === 'done' || j.status === 'failed') { window.location.reload(); return; }
        const what = j.stage ? j.stage.charAt(0).toUpperCase() + j.stage.slice(1) : 'Working';
        stage.textContent = j.total ? `${what}: ${j.done.toLocaleString('en-GB')} of ${j.total.toLocaleString('en-GB')}` : what;
        if (j.percent !== null) bar.value = j.percent;
      }
    } catch { /* try again */ }
    setTimeout(tick, 1000);
  };
  setTimeout(tick, 1000);
}
