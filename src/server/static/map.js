// The map page's enhancement: a MapLibre choropleth of the figures in the table below it.
// Without JavaScript (or WebGL) the page keeps its table and key; nothing here is needed to read them.
// The style is inline and uses only the portal's own GeoJSON or vector tiles: nothing from elsewhere.
import { Map as MapLibreMap, Popup, NavigationControl } from '/static/maplibre/maplibre-gl.mjs';

const wrap = document.querySelector('[data-module="civic-map"]');

function figuresList(p, meta) {
  const dl = document.createElement('dl');
  dl.className = 'govuk-summary-list govuk-summary-list--no-border govuk-!-margin-bottom-0';
  const row = (k, v) => {
    if (v === null || v === undefined || v === '') return;
    const r = document.createElement('div');
    r.className = 'govuk-summary-list__row';
    const dt = document.createElement('dt'); dt.className = 'govuk-summary-list__key'; dt.textContent = k;
    const dd = document.createElement('dd'); dd.className = 'govuk-summary-list__value'; dd.textContent = v;
    r.append(dt, dd);
    dl.append(r);
  };
  const int = (n) => (typeof n === 'number' ? Math.round(n).toLocaleString('en-GB') : null);
  row('Area', p.name ? `${p.name} (${p.code})` : p.code);
  row(meta.valueLabel, p.text);
  if (meta.countLabel) row(meta.countLabel, int(p.count));
  if (meta.baseLabel) row(meta.baseLabel, int(p.base));
  return dl;
}

function facilityList(p) {
  const dl = document.createElement('dl');
  dl.className = 'govuk-summary-list govuk-summary-list--no-border govuk-!-margin-bottom-0';
  for (const [k, v] of [['Facility', p.name], ['Kind', p.kindLabel], ['Postcode', p.postcode], ['Capacity', p.capacity], ['Opening hours', p.openingHours]]) {
    if (v === null || v === undefined || v === '' || v === 'null') continue;
    const r = document.createElement('div'); r.className = 'govuk-summary-list__row';
    const dt = document.createElement('dt'); dt.className = 'govuk-summary-list__key'; dt.textContent = k;
    const dd = document.createElement('dd'); dd.className = 'govuk-summary-list__value'; dd.textContent = String(v);
    r.append(dt, dd); dl.append(r);
  }
  return dl;
}

async function start() {
  if (!wrap) return;
  const container = wrap.querySelector('#map');
  const panel = wrap.querySelector('#map-figures');
  const t0 = performance.now();
  // The figures' key and extent come with the page; MapLibre's worker fetches and parses the
  // GeoJSON itself, so a national map is not copied between threads.
  const meta = JSON.parse(wrap.dataset.meta);
  window.civicMap = { fetchedMs: 0, features: meta.areas };
  wrap.hidden = false;

  const colour = ['match', ['get', 'c']];
  for (const l of meta.legend) colour.push(l.cls, l.colour);
  colour.push('#ffffff');
  const [w, s, e, n] = meta.bbox;
  // Large maps (a whole country's LSOAs) come as vector tiles cut by the portal; smaller ones as one GeoJSON.
  // Tile URLs keep their {z}/{x}/{y} placeholders, so they are joined to the origin rather than parsed.
  const source = meta.tiles
    ? { type: 'vector', tiles: [window.location.origin + meta.tiles], maxzoom: meta.tileMaxZoom, promoteId: 'code' }
    : { type: 'geojson', data: new URL(wrap.dataset.geojson, window.location.href).href, promoteId: 'code', maxzoom: 12, tolerance: 0.5, buffer: 32 };
  const layerOf = meta.tiles ? { 'source-layer': 'areas' } : {};
  const featureRef = (id) => (meta.tiles ? { source: 'areas', sourceLayer: 'areas', id } : { source: 'areas', id });
  const map = new MapLibreMap({
    container,
    style: {
      version: 8,
      sources: { areas: source },
      layers: [
        { id: 'background', type: 'background', paint: { 'background-color': '#f3f2f1' } },
        { id: 'areas-fill', type: 'fill', source: 'areas', ...layerOf, paint: { 'fill-color': colour.length > 3 ? colour : '#ffffff', 'fill-opacity': 0.85 } },
        { id: 'areas-line', type: 'line', source: 'areas', ...layerOf, paint: { 'line-color': '#0b0c0c', 'line-width': ['case', ['boolean', ['feature-state', 'selected'], false], 3, 0.3] } },
      ],
    },
    bounds: [[w, s], [e, n]],
    fitBoundsOptions: { padding: 20 },
    attributionControl: false,
    dragRotate: false,
    pitchWithRotate: false,
  });
  map.addControl(new NavigationControl({ showCompass: false }));
  map.touchZoomRotate.disableRotation();
  let selected = null;
  const popup = new Popup({ closeButton: true, maxWidth: '320px' });
  map.on('click', (ev) => {
    const site = meta.facilities ? map.queryRenderedFeatures(ev.point, { layers: ['facilities'] })[0] : null;
    if (site) {
      const dl = facilityList(site.properties);
      panel.replaceChildren(dl);
      popup.setLngLat(site.geometry.coordinates).setDOMContent(facilityList(site.properties)).addTo(map);
      container.dataset.selectedFacility = site.properties.id;
      return;
    }
    const f = map.queryRenderedFeatures(ev.point, { layers: ['areas-fill'] })[0];
    if (!f) return;
    select(f, ev);
  });
  if (meta.overlay) {
    // An outline drawn over the areas (a catchment): a dashed line, no fill, so the areas stay readable.
    map.on('load', () => {
      map.addSource('overlay', { type: 'geojson', data: new URL(meta.overlay.url, window.location.href).href });
      map.addLayer({ id: 'overlay-line', type: 'line', source: 'overlay', paint: { 'line-color': '#d4351c', 'line-width': 3, 'line-dasharray': [2, 1] } });
    });
  }
  if (meta.facilities) {
    // Facilities over the areas: a shape and a colour per kind, as in the key (never colour alone),
    // drawn here as icons so that no font or sprite has to be fetched.
    const icon = (k) => {
      const ratio = 2, size = 18 * ratio;
      const canvas = document.createElement('canvas');
      canvas.width = size; canvas.height = size;
      const g = canvas.getContext('2d');
      g.scale(ratio, ratio);
      g.beginPath();
      if (k.shape === 'circle' || !k.points) g.arc(9, 9, 7, 0, Math.PI * 2);
      else k.points.split(' ').forEach((p, i) => { const [x, y] = p.split(',').map(Number); if (i) g.lineTo(x, y); else g.moveTo(x, y); });
      g.closePath();
      g.lineJoin = 'round';
      g.strokeStyle = '#ffffff'; g.lineWidth = 3.5; g.stroke();
      g.fillStyle = k.colour; g.fill();
      g.strokeStyle = '#0b0c0c'; g.lineWidth = 1.5; g.stroke();
      return { image: g.getImageData(0, 0, size, size), ratio };
    };
    const iconOf = ['match', ['get', 'kind']];
    for (const k of meta.facilities.kinds) iconOf.push(k.kind, `facility-${k.shape}-${k.css}`);
    iconOf.push(`facility-${meta.facilities.kinds[0]?.shape ?? 'circle'}-${meta.facilities.kinds[0]?.css ?? 'none'}`);
    map.on('load', () => {
      for (const k of meta.facilities.kinds) {
        const { image, ratio } = icon(k);
        const id = `facility-${k.shape}-${k.css}`;
        if (!map.hasImage(id)) map.addImage(id, image, { pixelRatio: ratio });
      }
      map.addSource('facilities', { type: 'geojson', data: new URL(meta.facilities.url, window.location.href).href });
      map.addLayer({ id: 'facilities', type: 'symbol', source: 'facilities', layout: { 'icon-image': meta.facilities.kinds.length ? iconOf : '', 'icon-allow-overlap': true, 'icon-ignore-placement': true } });
      map.on('mouseenter', 'facilities', () => { map.getCanvas().style.cursor = 'pointer'; });
      map.on('mouseleave', 'facilities', () => { map.getCanvas().style.cursor = ''; });
    });
  }
  const select = (f, ev) => {
    if (selected !== null) map.setFeatureState(featureRef(selected), { selected: false });
    selected = f.properties.code;
    map.setFeatureState(featureRef(selected), { selected: true });
    panel.replaceChildren(figuresList(f.properties, meta));
    popup.setLngLat(ev.lngLat).setDOMContent(figuresList(f.properties, meta)).addTo(map);
    container.dataset.selected = f.properties.code;
  };
  map.on('mouseenter', 'areas-fill', () => { map.getCanvas().style.cursor = 'pointer'; });
  map.on('mouseleave', 'areas-fill', () => { map.getCanvas().style.cursor = ''; });
  map.once('idle', () => {
    window.civicMap.renderedMs = performance.now() - t0;
    container.dataset.state = 'rendered';
  });
  window.civicMap.map = map;
}

start().catch((err) => {
  // Leave the table: it holds every figure the map would show.
  if (wrap) wrap.hidden = true;
  document.documentElement.dataset.mapError = String(err && err.message ? err.message : err);
});
