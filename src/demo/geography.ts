/**
 * Sample Borough's geography: a gapless tiling of output areas and the LSOAs, MSOAs and wards
 * built from them.
 *
 * The borough is a grid of cells whose shared corners and edge midpoints are jittered, so every
 * cell is an irregular octagon that shares its edges exactly with its neighbours. An OA is one
 * populated cell (plus any river or park cells next to it); every higher area is a union of OAs,
 * and all outlines are traced from the same vertices, so an OA lies exactly inside its LSOA and
 * ward. The grid is warped so cells are small in the town centre and large at the edges, as real
 * OAs are (they hold similar numbers of households).
 */
import type { Random } from '../core/index.ts';
import { clamp, round6, uniform } from './util.ts';

export const LAD = { code: 'E09999001', name: 'Sample Borough' } as const;

/** Roughly Nottingham's latitude: somewhere plausible in England. */
const LAT0 = 52.95;
const LON0 = -1.15;
/** Extent of the default 100,000-household borough; other sizes scale to keep the same density. */
const WIDTH_M = 12_000;
const HEIGHT_M = 10_000;
const DEFAULT_HOUSEHOLDS = 100_000;
const M_PER_DEG_LAT = 110_574;
const M_PER_DEG_LON = 111_320 * Math.cos((LAT0 * Math.PI) / 180);
/** Households per OA the grid is sized for (OAs hold 80–200). */
const HOUSEHOLDS_PER_OA = 128;

export interface Point {
  x: number;
  y: number;
}

export interface Oa {
  index: number;
  code: string;
  /** Grid cells making up the OA; the first is the populated one, the rest river or park. */
  cells: number[];
  /** Centre of the populated cell, metres from the borough's centre (x east, y north). */
  x: number;
  y: number;
  lsoa: number;
  ward: number;
  households: number;
}

export interface Area {
  index: number;
  code: string;
  name: string;
  /** OA indices. */
  oas: number[];
  x: number;
  y: number;
}

export interface Lsoa extends Area {
  msoa: number;
}

/** Places the rest of the generator needs to make the borough's social geography plausible. */
export interface Landmarks {
  townCentre: Point;
  campus: Point;
  river: Point;
  park: Point | null;
  /** Direction (radians, from east, anticlockwise) of the side where the big estates are. */
  estatesBearing: number;
  /** Half the borough's extent in metres, to normalise distances. */
  radius: number;
}

export interface Geography {
  nx: number;
  ny: number;
  oas: Oa[];
  lsoas: Lsoa[];
  msoas: Area[];
  wards: Area[];
  landmarks: Landmarks;
  /** Cell id → OA index, or -1 outside the borough. */
  cellOa: Int32Array;
  /** Cells with no households (river, park). */
  emptyCell: Uint8Array;
  /** Indices of the LSOAs and MSOAs sharing an edge with each one. */
  lsoaNeighbours: number[][];
  msoaNeighbours: number[][];
  vertices: Vertices;
}

interface Vertices {
  /** Jittered position in grid units. */
  gx: Float64Array;
  gy: Float64Array;
  /** Ideal (unjittered) position, used only for turning angles while tracing outlines. */
  ix: Float64Array;
  iy: Float64Array;
  /** Rounded WGS84 position, the one written everywhere. */
  lon: Float64Array;
  lat: Float64Array;
}

// ---------------------------------------------------------------------------------------------
// Grid

/**
 * Maps grid coordinates to metres with a radial warp about the town centre (u, v in 0–1 of the
 * grid): a point at normalised distance s from it moves to s·(a + (1 − a)·s), so cells near the
 * centre are about `a` times the size of average ones and cells stay roughly square.
 */
function makeWarp(nx: number, ny: number, centreU: number, centreV: number, a: number, width: number, height: number) {
  return (gx: number, gy: number): Point => {
    const du = (2 * gx) / nx - 1 - (2 * centreU - 1);
    const dv = (2 * gy) / ny - 1 - (2 * centreV - 1);
    const s = Math.hypot(du, dv);
    const k = a + (1 - a) * s;
    return { x: ((2 * centreU - 1 + du * k) * width) / 2, y: ((2 * centreV - 1 + dv * k) * height) / 2 };
  };
}

const toLon = (x: number) => round6(LON0 + x / M_PER_DEG_LON);
const toLat = (y: number) => round6(LAT0 + y / M_PER_DEG_LAT);

/** Metres → [lon, lat], rounded as written to the files. */
export function lonLat(p: Point): [number, number] {
  return [toLon(p.x), toLat(p.y)];
}

/** Straight-line distance in metres between two lon/lat points (equirectangular, fine at this scale). */
export function metresBetween(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const dx = (lon2 - lon1) * M_PER_DEG_LON;
  const dy = (lat2 - lat1) * M_PER_DEG_LAT;
  return Math.hypot(dx, dy);
}

export function buildGeography(rng: Random, households: number): Geography {
  const targetOas = Math.max(8, Math.round(households / HOUSEHOLDS_PER_OA));

  // An irregular, roughly rounded-rectangle outline: a superellipse with a wobbly radius.
  const phases = [rng.next() * 2 * Math.PI, rng.next() * 2 * Math.PI, rng.next() * 2 * Math.PI];
  const inMask = (u: number, v: number) => {
    const th = Math.atan2(v, u);
    const r =
      0.93 +
      0.04 * Math.sin(2 * th + phases[0]) +
      0.03 * Math.sin(3 * th + phases[1]) +
      0.02 * Math.sin(5 * th + phases[2]);
    return Math.pow(Math.abs(u) ** 2.6 + Math.abs(v) ** 2.6, 1 / 2.6) <= r;
  };
  const maskCount = (nx: number, ny: number) => {
    let c = 0;
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++) if (inMask(((i + 0.5) / nx) * 2 - 1, ((j + 0.5) / ny) * 2 - 1)) c++;
    return c;
  };
  // Size the grid so that masked cells minus the river and park give about the target OA count
  // (cells are about square on average: 12 km by 10 km, so ny ≈ nx / 1.2).
  let nx = 4;
  let ny = 3;
  let best = Infinity;
  for (let cx = 4; cx <= 400; cx++) {
    let over = false;
    for (const cy of [Math.round(cx / 1.2) - 1, Math.round(cx / 1.2), Math.round(cx / 1.2) + 1]) {
      if (cy < 3) continue;
      const est = maskCount(cx, cy) - (cx >= 10 ? Math.round(cx * 1.2) + 4 : 0);
      const diff = Math.abs(est - targetOas);
      if (diff < best) {
        best = diff;
        nx = cx;
        ny = cy;
      }
      over ||= est > targetOas * 1.5;
    }
    if (over) break;
  }

  const centreU = uniform(rng, 0.44, 0.54);
  const centreV = uniform(rng, 0.46, 0.56);
  const scale = Math.sqrt(households / DEFAULT_HOUSEHOLDS);
  const toMetres = makeWarp(nx, ny, centreU, centreV, 0.45, WIDTH_M * scale, HEIGHT_M * scale);

  const cellId = (i: number, j: number) => j * nx + i;
  const mask = new Uint8Array(nx * ny);
  for (let j = 0; j < ny; j++)
    for (let i = 0; i < nx; i++)
      mask[cellId(i, j)] = inMask(((i + 0.5) / nx) * 2 - 1, ((j + 0.5) / ny) * 2 - 1) ? 1 : 0;

  const vertices = buildVertices(rng, nx, ny, toMetres);
  smoothBoundary(
    { nx, ny, vertices },
    [...mask.keys()].filter((c) => mask[c]),
    toMetres,
  );

  // A river meanders west to east south of the centre; a small park sits north-west of it.
  const empty = new Uint8Array(nx * ny);
  let riverPoint: Point = toMetres(nx / 2, ny * 0.38);
  let park: Point | null = null;
  if (nx >= 10) {
    let r = Math.round(ny * uniform(rng, 0.33, 0.42));
    const lo = Math.round(ny * 0.22);
    const hi = Math.round(ny * 0.5);
    const riverRows: number[] = [];
    for (let i = 0; i < nx; i++) {
      const prev = r;
      if (i > 0) {
        const s = rng.next();
        if (s < 0.22) r--;
        else if (s > 0.78) r++;
        r = clamp(r, lo, hi);
      }
      for (let jj = Math.min(prev, r); jj <= Math.max(prev, r); jj++) if (mask[cellId(i, jj)]) empty[cellId(i, jj)] = 1;
      riverRows.push(r);
    }
    const mid = Math.floor(nx / 2);
    riverPoint = toMetres(mid + 0.5, riverRows[mid] + 0.5);
    const pi = Math.round(nx * (centreU - 0.14));
    const pj = Math.round(ny * (centreV + 0.12));
    const parkCells = [cellId(pi, pj), cellId(pi + 1, pj), cellId(pi, pj + 1), cellId(pi + 1, pj + 1)];
    if (parkCells.every((c) => mask[c] && !empty[c])) {
      for (const c of parkCells) empty[c] = 1;
      park = toMetres(pi + 1, pj + 1);
    }
  }

  // OAs: one per populated cell; empty cells join a neighbouring OA (north first, as the river's
  // north bank), spreading outwards until every cell in the borough belongs to an OA.
  const cellOa = new Int32Array(nx * ny).fill(-1);
  const oas: Oa[] = [];
  for (let j = ny - 1; j >= 0; j--) {
    for (let i = 0; i < nx; i++) {
      const c = cellId(i, j);
      if (!mask[c] || empty[c]) continue;
      const centre = toMetres(i + 0.5, j + 0.5);
      cellOa[c] = oas.length;
      oas.push({
        index: oas.length,
        code: '',
        cells: [c],
        x: centre.x,
        y: centre.y,
        lsoa: -1,
        ward: -1,
        households: 0,
      });
    }
  }
  for (let progress = true; progress; ) {
    progress = false;
    for (let c = 0; c < nx * ny; c++) {
      if (!mask[c] || cellOa[c] >= 0) continue;
      const i = c % nx;
      const j = (c - i) / nx;
      const nbrs = [
        [i, j + 1],
        [i, j - 1],
        [i - 1, j],
        [i + 1, j],
      ];
      const found = nbrs.find(([a, b]) => a >= 0 && b >= 0 && a < nx && b < ny && cellOa[cellId(a, b)] >= 0);
      if (found) {
        const o = cellOa[cellId(found[0], found[1])];
        cellOa[c] = o;
        oas[o].cells.push(c);
        progress = true;
      }
    }
  }
  // An empty cell cut off from every OA (possible only at the very edge) leaves the borough.
  for (let c = 0; c < nx * ny; c++)
    if (mask[c] && cellOa[c] < 0) {
      mask[c] = 0;
      empty[c] = 0;
    }

  const townCentre = toMetres(nx * centreU, ny * centreV);
  const radius = (Math.min(WIDTH_M, HEIGHT_M) * scale) / 2;
  const campusBearing = rng.next() * 2 * Math.PI;
  const landmarks: Landmarks = {
    townCentre,
    campus: {
      x: townCentre.x + 0.28 * radius * Math.cos(campusBearing),
      y: townCentre.y + 0.28 * radius * Math.sin(campusBearing),
    },
    river: riverPoint,
    park,
    // The estates lie east-ish, away from the leafy west.
    estatesBearing: uniform(rng, -0.6, 0.6),
    radius,
  };

  const geo: Geography = {
    nx,
    ny,
    oas,
    lsoas: [],
    msoas: [],
    wards: [],
    landmarks,
    cellOa,
    emptyCell: empty,
    vertices,
    lsoaNeighbours: [],
    msoaNeighbours: [],
  };
  buildHierarchy(rng, geo);
  return geo;
}

/**
 * Corners and edge midpoints, each jittered once and shared by the cells that meet there.
 * Ids: corners first ((nx+1)·(ny+1)), then horizontal-edge midpoints, then vertical ones.
 */
function buildVertices(rng: Random, nx: number, ny: number, toMetres: (gx: number, gy: number) => Point): Vertices {
  const nC = (nx + 1) * (ny + 1);
  const nH = nx * (ny + 1);
  const nV = (nx + 1) * ny;
  const n = nC + nH + nV;
  const v: Vertices = {
    gx: new Float64Array(n),
    gy: new Float64Array(n),
    ix: new Float64Array(n),
    iy: new Float64Array(n),
    lon: new Float64Array(n),
    lat: new Float64Array(n),
  };
  for (let j = 0; j <= ny; j++) {
    for (let i = 0; i <= nx; i++) {
      const id = j * (nx + 1) + i;
      v.ix[id] = i;
      v.iy[id] = j;
      v.gx[id] = i + uniform(rng, -0.22, 0.22);
      v.gy[id] = j + uniform(rng, -0.22, 0.22);
    }
  }
  const corner = (i: number, j: number) => j * (nx + 1) + i;
  for (let j = 0; j <= ny; j++) {
    for (let i = 0; i < nx; i++) {
      const id = nC + j * nx + i;
      const a = corner(i, j),
        b = corner(i + 1, j);
      const t = uniform(rng, 0.4, 0.6);
      v.ix[id] = i + 0.5;
      v.iy[id] = j;
      v.gx[id] = v.gx[a] + t * (v.gx[b] - v.gx[a]);
      v.gy[id] = v.gy[a] + t * (v.gy[b] - v.gy[a]) + uniform(rng, -0.13, 0.13);
    }
  }
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i <= nx; i++) {
      const id = nC + nH + j * (nx + 1) + i;
      const a = corner(i, j),
        b = corner(i, j + 1);
      const t = uniform(rng, 0.4, 0.6);
      v.ix[id] = i;
      v.iy[id] = j + 0.5;
      v.gx[id] = v.gx[a] + t * (v.gx[b] - v.gx[a]) + uniform(rng, -0.13, 0.13);
      v.gy[id] = v.gy[a] + t * (v.gy[b] - v.gy[a]);
    }
  }
  for (let id = 0; id < n; id++) {
    const m = toMetres(v.gx[id], v.gy[id]);
    v.lon[id] = toLon(m.x);
    v.lat[id] = toLat(m.y);
  }
  return v;
}

/**
 * Rounds off the staircase the grid leaves along the borough's edge: each vertex on the outer
 * boundary moves towards the average of its neighbours along it (a few Laplacian steps), a fraction
 * of a cell at most, so no cell folds over.
 */
function smoothBoundary(
  geo: Pick<Geography, 'nx' | 'ny' | 'vertices'>,
  cells: number[],
  toMetres: (gx: number, gy: number) => Point,
): void {
  const v = geo.vertices;
  for (const loop of traceLoops(geo, cells)) {
    for (let step = 0; step < 3; step++) {
      const n = loop.length;
      const nx = loop.map((id, k) => 0.5 * v.gx[id] + 0.25 * (v.gx[loop[(k + n - 1) % n]] + v.gx[loop[(k + 1) % n]]));
      const ny = loop.map((id, k) => 0.5 * v.gy[id] + 0.25 * (v.gy[loop[(k + n - 1) % n]] + v.gy[loop[(k + 1) % n]]));
      loop.forEach((id, k) => {
        v.gx[id] = nx[k];
        v.gy[id] = ny[k];
      });
    }
    for (const id of loop) {
      const m = toMetres(v.gx[id], v.gy[id]);
      v.lon[id] = toLon(m.x);
      v.lat[id] = toLat(m.y);
    }
  }
}

/** The 8 vertex ids of a cell, anticlockwise from its south-west corner. */
function cellRing(geo: Pick<Geography, 'nx' | 'ny'>, cell: number): number[] {
  const { nx, ny } = geo;
  const i = cell % nx;
  const j = (cell - i) / nx;
  const nC = (nx + 1) * (ny + 1);
  const nH = nx * (ny + 1);
  const corner = (a: number, b: number) => b * (nx + 1) + a;
  const hMid = (a: number, b: number) => nC + b * nx + a;
  const vMid = (a: number, b: number) => nC + nH + b * (nx + 1) + a;
  return [
    corner(i, j),
    hMid(i, j),
    corner(i + 1, j),
    vMid(i + 1, j),
    corner(i + 1, j + 1),
    hMid(i, j + 1),
    corner(i, j + 1),
    vMid(i, j),
  ];
}

// ---------------------------------------------------------------------------------------------
// Hierarchy: LSOAs (≈5 OAs), MSOAs (≈7 LSOAs), wards (≈7.5 LSOAs), by recursive bisection, which
// gives compact areas of similar size.

/**
 * Splits `ids` into `groups` compact parts by repeatedly cutting along the longer axis (measured
 * in a frame rotated by `angle`, so wards and MSOAs do not share every boundary).
 */
export function bisect(
  rng: Random,
  pts: readonly Point[],
  ids: number[],
  groups: number,
  minSize: number,
  angle = 0,
): number[][] {
  if (groups <= 1 || ids.length <= 1) return [ids];
  const c = Math.cos(angle),
    s = Math.sin(angle);
  const u = (k: number) => pts[k].x * c + pts[k].y * s;
  const w = (k: number) => -pts[k].x * s + pts[k].y * c;
  const spread = (f: (k: number) => number) => {
    let lo = Infinity,
      hi = -Infinity;
    for (const k of ids) {
      const val = f(k);
      lo = Math.min(lo, val);
      hi = Math.max(hi, val);
    }
    return hi - lo;
  };
  const [major, minor] = spread(u) >= spread(w) ? [u, w] : [w, u];
  const sorted = [...ids].sort((a, b) => major(a) - major(b) || minor(a) - minor(b) || a - b);
  const g1 = Math.floor(groups / 2);
  const g2 = groups - g1;
  const even = Math.round((sorted.length * g1) / groups);
  let n1 = Math.round((sorted.length * g1) / groups + (rng.next() - 0.5) * 1.2);
  if (n1 < g1 * minSize || sorted.length - n1 < g2 * minSize) n1 = even;
  return [
    ...bisect(rng, pts, sorted.slice(0, n1), g1, minSize, angle),
    ...bisect(rng, pts, sorted.slice(n1), g2, minSize, angle),
  ];
}

/**
 * Bisection can leave a group in two pieces where the borough's shape is irregular; real areas
 * are contiguous, so each stray piece joins the neighbouring group it shares most edges with.
 */
export function makeContiguous(groups: number[][], adj: readonly (readonly number[])[]): number[][] {
  const groupOf = new Map<number, number>();
  groups.forEach((g, k) => g.forEach((id) => groupOf.set(id, k)));
  const sizes = groups.map((g) => g.length);
  groups.forEach((g, k) => {
    const seen = new Set<number>();
    const pieces: number[][] = [];
    for (const start of g) {
      if (seen.has(start)) continue;
      const piece = [start];
      seen.add(start);
      for (let q = 0; q < piece.length; q++) {
        for (const n of adj[piece[q]])
          if (groupOf.get(n) === k && !seen.has(n)) {
            seen.add(n);
            piece.push(n);
          }
      }
      pieces.push(piece);
    }
    pieces.sort((a, b) => b.length - a.length || Math.min(...a) - Math.min(...b));
    for (const piece of pieces.slice(1)) {
      const votes = new Map<number, number>();
      for (const id of piece)
        for (const n of adj[id]) {
          const other = groupOf.get(n);
          if (other !== undefined && other !== k) votes.set(other, (votes.get(other) ?? 0) + 1);
        }
      const target = [...votes.entries()].sort(
        (a, b) => b[1] - a[1] || sizes[a[0]] - sizes[b[0]] || a[0] - b[0],
      )[0]?.[0];
      if (target === undefined) continue; // an island with no other group beside it: leave it
      for (const id of piece) groupOf.set(id, target);
      sizes[target] += piece.length;
      sizes[k] -= piece.length;
    }
  });
  const out: number[][] = groups.map(() => []);
  for (const g of groups) for (const id of g) out[groupOf.get(id)!].push(id);
  return out.filter((g) => g.length > 0);
}

/** Which units (LSOAs, MSOAs...) border each other, from OA adjacency. */
function unitAdjacency(oaAdj: readonly (readonly number[])[], unitOfOa: readonly number[], nUnits: number): number[][] {
  const sets = Array.from({ length: nUnits }, () => new Set<number>());
  oaAdj.forEach((ns, o) => {
    for (const n of ns) if (unitOfOa[n] !== unitOfOa[o]) sets[unitOfOa[o]].add(unitOfOa[n]);
  });
  return sets.map((s) => [...s].sort((a, b) => a - b));
}

/** OAs sharing an edge (cells side by side, not just touching at a corner). */
function oaAdjacency(geo: Geography): number[][] {
  const { nx, ny, cellOa } = geo;
  const sets = geo.oas.map(() => new Set<number>());
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      const a = cellOa[j * nx + i];
      if (a < 0) continue;
      if (i + 1 < nx) {
        const b = cellOa[j * nx + i + 1];
        if (b >= 0 && b !== a) {
          sets[a].add(b);
          sets[b].add(a);
        }
      }
      if (j + 1 < ny) {
        const b = cellOa[(j + 1) * nx + i];
        if (b >= 0 && b !== a) {
          sets[a].add(b);
          sets[b].add(a);
        }
      }
    }
  }
  return sets.map((s) => [...s].sort((a, b) => a - b));
}

const centroid = (pts: readonly Point[], ids: readonly number[]): Point => {
  let x = 0,
    y = 0;
  for (const k of ids) {
    x += pts[k].x;
    y += pts[k].y;
  }
  return { x: x / ids.length, y: y / ids.length };
};

/** North to south, then west to east: the order ONS numbers MSOAs in. */
const northFirst = (a: Point, b: Point) => b.y - a.y || a.x - b.x;

const WARD_NAMES_ANCHORED = [
  'Old Town',
  "St Mary's",
  'College Park',
  'Riverside',
  'Northgate',
  'Southfields',
  'Eastbrook',
  'Westfield',
  'Abbey Park',
] as const;
const WARD_NAMES_OTHER = [
  'Brook Hill',
  'Ashcroft',
  'Millbrook',
  'Kingsmead',
  'Hatherley',
  'Fairholme',
  'Oakwood',
  'Thornbury',
  'Greenhill',
  'Hollybank',
  'Longmoor',
  'Cranfield',
  'Elmswood',
  'Whitmore',
  'Langley Green',
  'Fernbank',
  'Stoneleigh',
  'Harcourt',
  'Marston Heath',
  'Woodlands',
  'Priory',
  'Westbury',
  'Highcross',
  'Larkfield',
  'Bramley Vale',
  'Copley',
  'Sandholme',
  'Ashgrove',
  'Coldwell',
  'Dunmore',
  'Fenwick',
  'Gorsey Bank',
  'Hillcrest',
  'Lowther',
  'Moorside',
  'Newlands',
  'Redhill',
];

function buildHierarchy(rng: Random, geo: Geography): void {
  const { oas, landmarks } = geo;
  const oaPts: Point[] = oas.map((o) => ({ x: o.x, y: o.y }));

  // LSOAs from OAs, then MSOAs from LSOAs, so LSOAs nest in MSOAs.
  const oaAdj = oaAdjacency(geo);
  const lsoaSets = makeContiguous(
    bisect(
      rng,
      oaPts,
      oas.map((o) => o.index),
      Math.max(1, Math.round(oas.length / 5)),
      3,
    ),
    oaAdj,
  );
  const lsoaPts = lsoaSets.map((set) => centroid(oaPts, set));
  const lsoaOfOa: number[] = [];
  lsoaSets.forEach((set, l) => {
    for (const o of set) lsoaOfOa[o] = l;
  });
  const lsoaAdj0 = unitAdjacency(oaAdj, lsoaOfOa, lsoaSets.length);
  const msoaSets = makeContiguous(
    bisect(
      rng,
      lsoaPts,
      lsoaSets.map((_, k) => k),
      Math.max(1, Math.round(lsoaSets.length / 7)),
      4,
    ),
    lsoaAdj0,
  );
  msoaSets.sort((a, b) => northFirst(centroid(lsoaPts, a), centroid(lsoaPts, b)));

  // Number MSOAs north to south, letter their LSOAs, and code OAs in that order.
  let oaSeq = 0;
  const lsoas: Lsoa[] = [];
  const msoas: Area[] = [];
  msoaSets.forEach((lsoaIdx, m) => {
    const num = String(m + 1).padStart(3, '0');
    const ordered = [...lsoaIdx].sort((a, b) => northFirst(lsoaPts[a], lsoaPts[b]));
    const msoaOas: number[] = [];
    ordered.forEach((l, k) => {
      const members = [...lsoaSets[l]].sort((a, b) => northFirst(oaPts[a], oaPts[b]));
      const index = lsoas.length;
      for (const o of members) {
        oas[o].code = `E00${900001 + oaSeq++}`;
        oas[o].lsoa = index;
      }
      msoaOas.push(...members);
      lsoas.push({
        index,
        code: `E01${900001 + index}`,
        name: `${LAD.name} ${num}${letterCode(k)}`,
        oas: members,
        msoa: m,
        ...lsoaPts[l],
      });
    });
    msoas.push({
      index: m,
      code: `E02${900001 + m}`,
      name: `${LAD.name} ${num}`,
      oas: msoaOas,
      ...centroid(oaPts, msoaOas),
    });
  });
  // Keep OAs in code order from here on.
  const order = [...oas].sort((a, b) => (a.code < b.code ? -1 : 1));
  const remap = new Map(order.map((o, k) => [o.index, k]));
  order.forEach((o, k) => {
    o.index = k;
  });
  for (const a of [...lsoas, ...msoas]) a.oas = a.oas.map((o) => remap.get(o)!);
  geo.oas = order;
  for (let c = 0; c < geo.cellOa.length; c++) if (geo.cellOa[c] >= 0) geo.cellOa[c] = remap.get(geo.cellOa[c])!;

  const oaAdjFinal = oaAdjacency(geo);
  geo.lsoaNeighbours = unitAdjacency(
    oaAdjFinal,
    geo.oas.map((o) => o.lsoa),
    lsoas.length,
  );
  geo.msoaNeighbours = unitAdjacency(
    oaAdjFinal,
    geo.oas.map((o) => lsoas[o.lsoa].msoa),
    msoas.length,
  );

  // Wards: unions of whole LSOAs, cut in a rotated frame so they differ from MSOAs.
  const wardSets = makeContiguous(
    bisect(
      rng,
      lsoas,
      lsoas.map((l) => l.index),
      Math.max(1, Math.round(lsoas.length / 7.5)),
      4,
      0.6,
    ),
    geo.lsoaNeighbours,
  );
  const wardPts = wardSets.map((set) => centroid(lsoas, set));
  const names = nameWards(wardPts, landmarks);
  const wardOrder = wardSets.map((_, k) => k).sort((a, b) => (names[a] < names[b] ? -1 : 1));
  geo.wards = wardOrder.map((k, index) => {
    const wardOas = wardSets[k].flatMap((l) => lsoas[l].oas).sort((a, b) => a - b);
    for (const o of wardOas) geo.oas[o].ward = index;
    return { index, code: `E05${900001 + index}`, name: names[k], oas: wardOas, ...wardPts[k] };
  });
  geo.lsoas = lsoas;
  geo.msoas = msoas;
}

/** A, B, ..., Z, AA, AB ... as LSOA suffixes. */
function letterCode(k: number): string {
  const A = 65;
  return k < 26
    ? String.fromCharCode(A + k)
    : String.fromCharCode(A + Math.floor(k / 26) - 1) + String.fromCharCode(A + (k % 26));
}

/** Gives the ward nearest each landmark its name (Old Town at the centre, Riverside by the river...). */
function nameWards(pts: Point[], lm: Landmarks): string[] {
  const R = lm.radius;
  const tc = lm.townCentre;
  const anchors: Record<(typeof WARD_NAMES_ANCHORED)[number], Point | null> = {
    'Old Town': tc,
    "St Mary's": { x: tc.x + 0.15 * R, y: tc.y + 0.15 * R },
    'College Park': lm.campus,
    Riverside: lm.river,
    Northgate: { x: tc.x, y: 1.2 * R },
    Southfields: { x: tc.x, y: -1.2 * R },
    Eastbrook: { x: 1.4 * R, y: tc.y },
    Westfield: { x: -1.4 * R, y: tc.y },
    'Abbey Park': lm.park,
  };
  const names: string[] = new Array(pts.length).fill('');
  for (const name of WARD_NAMES_ANCHORED) {
    const a = anchors[name];
    if (!a) continue;
    let bestK = -1,
      bestD = Infinity;
    pts.forEach((p, k) => {
      const d = Math.hypot(p.x - a.x, p.y - a.y);
      if (!names[k] && d < bestD) {
        bestD = d;
        bestK = k;
      }
    });
    if (bestK >= 0) names[bestK] = name;
  }
  let next = 0;
  for (let k = 0; k < names.length; k++) {
    if (names[k]) continue;
    // Big boroughs run out of names: then "Ashcroft North", "Ashcroft South" ...
    const base = WARD_NAMES_OTHER[next % WARD_NAMES_OTHER.length];
    const round = Math.floor(next / WARD_NAMES_OTHER.length);
    names[k] =
      round === 0
        ? base
        : `${base} ${['North', 'South', 'East', 'West', 'Central', 'Park', 'Green', 'Vale', 'Heath'][(round - 1) % 9]}${round > 9 ? ` ${Math.ceil(round / 9)}` : ''}`;
    next++;
  }
  return names;
}

// ---------------------------------------------------------------------------------------------
// Outlines

export type Ring = [number, number][];
export type PolygonCoords = Ring[];

/** Boundary loops (vertex ids) of a union of cells; see `outline`. */
function traceLoops(geo: Pick<Geography, 'nx' | 'ny' | 'vertices'>, cells: readonly number[]): number[][] {
  const { ix, iy } = geo.vertices;
  const nV = ix.length;
  const segs = new Set<number>();
  for (const c of cells) {
    const r = cellRing(geo, c);
    for (let k = 0; k < r.length; k++) segs.add(r[k] * nV + r[(k + 1) % r.length]);
  }
  const out = new Map<number, number[]>();
  const boundary: number[] = [];
  for (const key of segs) {
    const a = Math.floor(key / nV),
      b = key % nV;
    if (segs.has(b * nV + a)) continue;
    boundary.push(key);
    const list = out.get(a);
    if (list) list.push(b);
    else out.set(a, [b]);
  }
  boundary.sort((p, q) => p - q);

  const used = new Set<number>();
  const loops: number[][] = [];
  for (const start of boundary) {
    if (used.has(start)) continue;
    let prev = Math.floor(start / nV);
    let cur = start % nV;
    used.add(start);
    const loop = [prev];
    for (;;) {
      loop.push(cur);
      const options = out.get(cur)!;
      let next = options[0];
      if (options.length > 1) {
        let bestTurn = -Infinity;
        const dx1 = ix[cur] - ix[prev],
          dy1 = iy[cur] - iy[prev];
        for (const o of options) {
          const dx2 = ix[o] - ix[cur],
            dy2 = iy[o] - iy[cur];
          const turn = Math.atan2(dx1 * dy2 - dy1 * dx2, dx1 * dx2 + dy1 * dy2);
          if (turn > bestTurn) {
            bestTurn = turn;
            next = o;
          }
        }
      }
      const key = cur * nV + next;
      if (used.has(key)) break;
      used.add(key);
      prev = cur;
      cur = next;
    }
    loop.pop(); // the walk ends back at its first vertex
    loops.push(loop);
  }
  return loops;
}

/**
 * The outline of a union of cells as GeoJSON polygons (outer ring anticlockwise, holes clockwise,
 * rings closed). Edges shared by two cells of the set cancel; what is left is walked into loops,
 * turning as far left as possible where two loops touch at a corner so they stay separate.
 */
export function outline(geo: Pick<Geography, 'nx' | 'ny' | 'vertices'>, cells: readonly number[]): PolygonCoords[] {
  const { ix, iy, lon, lat } = geo.vertices;
  const loops = traceLoops(geo, cells);

  const area = (loop: number[]) => {
    let s = 0;
    for (let k = 0; k < loop.length; k++) {
      const a = loop[k],
        b = loop[(k + 1) % loop.length];
      s += ix[a] * iy[b] - ix[b] * iy[a];
    }
    return s / 2;
  };
  const toRing = (loop: number[]): Ring => [...loop, loop[0]].map((v) => [lon[v], lat[v]]);
  const outers = loops.filter((l) => area(l) > 0).sort((a, b) => area(b) - area(a));
  const holes = loops.filter((l) => area(l) < 0);
  const polys: number[][][] = outers.map((o) => [o]);
  for (const h of holes) {
    // A point just inside the region, beside the hole's first edge, says which outer ring holds it.
    const a = h[0],
      b = h[1];
    const px = (ix[a] + ix[b]) / 2 - (iy[b] - iy[a]) * 0.01;
    const py = (iy[a] + iy[b]) / 2 + (ix[b] - ix[a]) * 0.01;
    const holder = [...outers].reverse().findIndex((o) => insideIdeal(o, px, py, ix, iy));
    polys[holder >= 0 ? outers.length - 1 - holder : 0].push(h);
  }
  return polys.map((rings) => rings.map(toRing));
}

function insideIdeal(loop: number[], px: number, py: number, ix: Float64Array, iy: Float64Array): boolean {
  let inside = false;
  for (let k = 0, m = loop.length - 1; k < loop.length; m = k++) {
    const xi = ix[loop[k]],
      yi = iy[loop[k]],
      xj = ix[loop[m]],
      yj = iy[loop[m]];
    if (yi > py !== yj > py && px < ((xj - xi) * (py - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** GeoJSON geometry for a list of polygons. */
export function geometry(polys: PolygonCoords[]) {
  return polys.length === 1
    ? { type: 'Polygon' as const, coordinates: polys[0] }
    : { type: 'MultiPolygon' as const, coordinates: polys };
}

// ---------------------------------------------------------------------------------------------
// Points inside cells

/**
 * A random point (rounded lon/lat) strictly inside a cell: drawn in the cell's interior and kept
 * only if it is inside the cell's polygon and at least ~2 m from every edge.
 */
export function pointInCell(rng: Random, geo: Geography, cell: number): [number, number] {
  const { lon, lat } = geo.vertices;
  const ring = cellRing(geo, cell);
  const [c00, , c10, , c11, , c01] = ring;
  const px = ring.map((v) => lon[v]);
  const py = ring.map((v) => lat[v]);
  for (let attempt = 0; attempt < 100; attempt++) {
    // Bilinear between the four corners, away from the edges; the check below settles the rest.
    const u = uniform(rng, 0.15, 0.85);
    const v = uniform(rng, 0.15, 0.85);
    const bil = (arr: Float64Array) =>
      (1 - u) * (1 - v) * arr[c00] + u * (1 - v) * arr[c10] + u * v * arr[c11] + (1 - u) * v * arr[c01];
    const x = round6(bil(lon));
    const y = round6(bil(lat));
    if (strictlyInside(px, py, x, y, 2e-5)) return [x, y];
  }
  throw new Error(`Could not place a point inside cell ${cell}`);
}

/** Point in polygon (ray casting) and at least `margin` degrees from every edge. */
function strictlyInside(px: readonly number[], py: readonly number[], x: number, y: number, margin: number): boolean {
  let inside = false;
  const n = px.length;
  for (let k = 0, m = n - 1; k < n; m = k++) {
    const xi = px[k],
      yi = py[k],
      xj = px[m],
      yj = py[m];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
    // Distance from the point to segment m→k.
    const dx = xi - xj,
      dy = yi - yj;
    const t = clamp(((x - xj) * dx + (y - yj) * dy) / (dx * dx + dy * dy || 1), 0, 1);
    if (Math.hypot(x - (xj + t * dx), y - (yj + t * dy)) < margin) return false;
  }
  return inside;
}
