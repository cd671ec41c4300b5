/**
 * OpenStreetMap to a routable graph: which ways each mode may use and in which direction, how fast,
 * and the reading of a `.osm.pbf` file (streamed with `osm-pbf-parser-node`).
 *
 * Not modelled: turn restrictions, traffic, junction delays beyond the speed factor below, ferries
 * (they are `route=ferry`, not `highway=*`), gradients and surfaces.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { OSMTransform } from 'osm-pbf-parser-node';
import { InputError } from '../core/index.ts';
import { metresBetween, TRAVEL_MODES, type TravelMode } from './costs.ts';
import { createRoadGraph, RoadNetwork, type RoadGraph } from './network.ts';

export interface OsmNode {
  id: number;
  lon: number;
  lat: number;
}
export interface OsmWay {
  id: number;
  refs: readonly number[];
  tags: Readonly<Record<string, string>>;
}
type Tags = Readonly<Record<string, string | undefined>>;

const KMH_PER_MPH = 1.609344;
const KMH_PER_KNOT = 1.852;

/**
 * Car speeds (km/h) by road class where a way has no usable `maxspeed`. They are average speeds,
 * not limits — OSRM's car profile defaults, which allow for junctions and traffic — so a route
 * through town is not timed at the legal limit:
 *
 * | highway        | km/h | highway         | km/h |
 * |----------------|------|-----------------|------|
 * | motorway       | 90   | motorway_link   | 45   |
 * | trunk          | 85   | trunk_link      | 40   |
 * | primary        | 65   | primary_link    | 30   |
 * | secondary      | 55   | secondary_link  | 25   |
 * | tertiary       | 40   | tertiary_link   | 20   |
 * | unclassified   | 25   | residential     | 25   |
 * | road           | 25   | service         | 15   |
 * | living_street  | 10   |                 |      |
 */
export const CAR_KMH_BY_HIGHWAY: Readonly<Record<string, number>> = {
  motorway: 90,
  motorway_link: 45,
  trunk: 85,
  trunk_link: 40,
  primary: 65,
  primary_link: 30,
  secondary: 55,
  secondary_link: 25,
  tertiary: 40,
  tertiary_link: 20,
  unclassified: 25,
  residential: 25,
  road: 25,
  service: 15,
  living_street: 10,
};

/** A tagged limit is scaled by this (as OSRM's car profile does) to turn a limit into an average speed. */
export const MAXSPEED_FACTOR = 0.8;

/** Walking speed on every walkable way (km/h). */
export const WALK_KMH = 4.8;

/**
 * Cycling speeds (km/h): 15 on roads and cycleways; slower off-road; walking pace where a cyclist
 * must push (footways, pedestrian streets, `bicycle=dismount`); carrying the bike on steps.
 * `bicycle=yes`/`designated` on a footway or pedestrian street lifts it to 15.
 */
export const CYCLE_KMH = { default: 15, path: 12, track: 10, bridleway: 8, push: WALK_KMH, steps: 2 } as const;

/** Highway classes a car may use, unless tags say otherwise. */
const CAR_CLASSES = new Set(Object.keys(CAR_KMH_BY_HIGHWAY));
/** Every class treated as routable by some mode; anything else (`construction`, `proposed`, `platform`, `corridor`, `busway`…) is left out. */
const ROUTABLE = new Set([...CAR_CLASSES, 'track', 'path', 'footway', 'pedestrian', 'cycleway', 'bridleway', 'steps']);
const NOT_WALKABLE = new Set(['motorway', 'motorway_link']);
const NOT_CYCLABLE = new Set(['motorway', 'motorway_link']);
const CYCLE_PUSH = new Set(['footway', 'pedestrian']);

/** Access values that shut a way to ordinary traffic. */
const DENY = new Set([
  'no',
  'private',
  'agricultural',
  'forestry',
  'delivery',
  'emergency',
  'military',
  'use_sidepath',
  'restricted',
]);
const ALLOW = new Set(['yes', 'designated', 'permissive', 'destination', 'customers', 'official']);

/** Most specific tag first: `motorcar=yes` beats `motor_vehicle=no` beats `access=no`. */
const ACCESS_KEYS: Record<TravelMode, readonly string[]> = {
  car: ['motorcar', 'motor_vehicle', 'vehicle', 'access'],
  cycle: ['bicycle', 'vehicle', 'access'],
  walk: ['foot', 'access'],
};

function accessValue(tags: Tags, mode: TravelMode): { key: string; value: string } | undefined {
  for (const key of ACCESS_KEYS[mode]) {
    const value = tags[key]?.trim().toLowerCase();
    if (value) return { key, value };
  }
  return undefined;
}

/** Country-coded implicit limits (`GB:nsl_single`, `FR:urban` …) in km/h, where not a plain `XX:urban`/`XX:rural`. */
const IMPLICIT_KMH: Readonly<Record<string, number | null>> = {
  'GB:nsl_single': 60 * KMH_PER_MPH,
  'GB:nsl_dual': 70 * KMH_PER_MPH,
  'GB:motorway': 70 * KMH_PER_MPH,
  'GB:nsl_restricted': 30 * KMH_PER_MPH,
  'UK:nsl_single': 60 * KMH_PER_MPH,
  'UK:nsl_dual': 70 * KMH_PER_MPH,
  'UK:motorway': 70 * KMH_PER_MPH,
  'UK:nsl_restricted': 30 * KMH_PER_MPH,
  'FR:rural': 80,
  'DE:rural': 100,
  'AT:rural': 100,
  'CH:rural': 80,
  'IT:rural': 90,
  'BE:rural': 70,
  'DE:motorway': null,
  'CH:motorway': 120,
  'IT:motorway': 130,
  'FR:motorway': 130,
};

/**
 * A `maxspeed` value in km/h, or undefined when it gives none (`none`, `signals`, `variable`, blank,
 * nonsense). Understands `30`, `30 km/h`, `20 mph`, `20mph`, `10 knots`, `walk`, `GB:nsl_single`
 * (60 mph), `GB:nsl_dual` and `GB:motorway` (70 mph), `XX:urban` (50), `XX:rural`, `XX:zone30`,
 * and takes the first of several values (`50;30`).
 */
export function parseMaxspeed(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const value = raw.split(';')[0].trim();
  if (!value) return undefined;
  const m = /^(\d+(?:\.\d+)?)\s*(km\/h|kmh|kph|mph|knots)?$/i.exec(value);
  if (m) {
    const n = Number(m[1]);
    if (!(n > 0)) return undefined;
    const unit = (m[2] ?? 'km/h').toLowerCase();
    return unit === 'mph' ? n * KMH_PER_MPH : unit === 'knots' ? n * KMH_PER_KNOT : n;
  }
  if (/^walk$/i.test(value)) return 6;
  if (value in IMPLICIT_KMH) return IMPLICIT_KMH[value] ?? undefined;
  const zone = /^[A-Z]{2}:zone:?(\d+)$/i.exec(value) ?? /^zone:?(\d+)$/i.exec(value);
  if (zone) return Number(zone[1]) > 0 ? Number(zone[1]) : undefined;
  const implicit = /^[A-Z]{2}(?:-[A-Z0-9]+)?:(urban|rural|motorway|living_street|trunk)$/i.exec(value);
  if (implicit)
    return { urban: 50, rural: 90, motorway: 130, living_street: 20, trunk: 100 }[implicit[1].toLowerCase()];
  return undefined;
}

/** How one way may be used: minutes per metre for each mode and direction (Infinity = not allowed). */
export interface WayProfile {
  /** km/h along the way's drawing direction and against it, per mode; 0 = not allowed. */
  forwardKmh: Record<TravelMode, number>;
  backwardKmh: Record<TravelMode, number>;
}

function onewayOf(value: string | undefined): 1 | -1 | 0 | 'closed' | undefined {
  switch (value?.trim().toLowerCase()) {
    case 'yes':
    case '1':
    case 'true':
      return 1;
    case '-1':
    case 'reverse':
      return -1;
    case 'no':
    case '0':
    case 'false':
      return 0;
    case 'reversible':
    case 'alternating':
      return 'closed';
    default:
      return undefined;
  }
}

/** Reads a way's tags into speeds per mode and direction; undefined when no mode may use it at all. */
export function wayProfile(tags: Tags): WayProfile | undefined {
  const highway = tags.highway?.trim().toLowerCase();
  if (!highway || !ROUTABLE.has(highway)) return undefined;
  if (tags.area?.toLowerCase() === 'yes' && !['pedestrian', 'footway'].includes(highway)) return undefined;
  const fwd = { car: 0, walk: 0, cycle: 0 },
    back = { car: 0, walk: 0, cycle: 0 };

  // Car.
  {
    const acc = accessValue(tags, 'car');
    const explicitlyAllowed = acc !== undefined && acc.key !== 'access' && ALLOW.has(acc.value);
    const byClass = CAR_CLASSES.has(highway);
    const denied = acc !== undefined && DENY.has(acc.value);
    if ((byClass && !denied) || explicitlyAllowed) {
      const base = CAR_KMH_BY_HIGHWAY[highway] ?? CAR_KMH_BY_HIGHWAY.service;
      const general = parseMaxspeed(tags.maxspeed);
      const speedFor = (dirTag: string | undefined) => {
        const limit = parseMaxspeed(dirTag) ?? general;
        return limit !== undefined ? limit * MAXSPEED_FACTOR : base;
      };
      let oneway = onewayOf(tags['oneway:motor_vehicle'] ?? tags.oneway);
      const roundabout = ['roundabout', 'circular'].includes(tags.junction?.toLowerCase() ?? '');
      if (oneway === undefined && (roundabout || highway === 'motorway' || highway === 'motorway_link')) oneway = 1;
      if (oneway !== 'closed') {
        if (oneway !== -1) fwd.car = speedFor(tags['maxspeed:forward']);
        if (oneway !== 1) back.car = speedFor(tags['maxspeed:backward']);
      }
    }
  }

  // Walking: pedestrians ignore `oneway` unless `oneway:foot` says otherwise.
  {
    const acc = accessValue(tags, 'walk');
    const denied = (acc !== undefined && DENY.has(acc.value)) || tags.motorroad?.toLowerCase() === 'yes';
    const explicitlyAllowed = acc !== undefined && acc.key === 'foot' && ALLOW.has(acc.value);
    if ((!NOT_WALKABLE.has(highway) && !denied) || explicitlyAllowed) {
      const oneway = onewayOf(tags['oneway:foot']);
      if (oneway !== -1 && oneway !== 'closed') fwd.walk = WALK_KMH;
      if (oneway !== 1 && oneway !== 'closed') back.walk = WALK_KMH;
    }
  }

  // Cycling: follows one-way streets unless `oneway:bicycle=no` or a contraflow `cycleway=opposite*`.
  {
    const acc = accessValue(tags, 'cycle');
    const denied = (acc !== undefined && DENY.has(acc.value)) || tags.motorroad?.toLowerCase() === 'yes';
    const explicitlyAllowed = acc !== undefined && acc.key === 'bicycle' && ALLOW.has(acc.value);
    if ((!NOT_CYCLABLE.has(highway) && !denied) || explicitlyAllowed) {
      let kmh: number = CYCLE_KMH.default;
      if (highway === 'steps') kmh = CYCLE_KMH.steps;
      else if (acc?.value === 'dismount' || (CYCLE_PUSH.has(highway) && !explicitlyAllowed)) kmh = CYCLE_KMH.push;
      else if (highway === 'track') kmh = CYCLE_KMH.track;
      else if (highway === 'path') kmh = CYCLE_KMH.path;
      else if (highway === 'bridleway') kmh = CYCLE_KMH.bridleway;
      let oneway = onewayOf(tags['oneway:bicycle']);
      if (oneway === undefined) {
        const contraflow = ['cycleway', 'cycleway:left', 'cycleway:right', 'cycleway:both'].some((k) =>
          tags[k]?.toLowerCase().startsWith('opposite'),
        );
        const general = onewayOf(tags.oneway);
        const roundabout = ['roundabout', 'circular'].includes(tags.junction?.toLowerCase() ?? '');
        oneway = contraflow ? 0 : (general ?? (roundabout ? 1 : undefined));
      }
      if (oneway !== -1 && oneway !== 'closed') fwd.cycle = kmh;
      if (oneway !== 1 && oneway !== 'closed') back.cycle = kmh;
    }
  }

  if (TRAVEL_MODES.every((m) => fwd[m] === 0 && back[m] === 0)) return undefined;
  return { forwardKmh: fwd, backwardKmh: back };
}

/**
 * OSM node coordinates looked up by id: ids in a typed array, sorted once, found by binary search.
 * (A Map would stop at 16.7 million entries; a county extract has more nodes than that.)
 */
export class NodeTable {
  private ids = new Float64Array(1024);
  private lons = new Float64Array(1024);
  private lats = new Float64Array(1024);
  private count = 0;
  private sorted = true;

  get size(): number {
    return this.count;
  }

  add(id: number, lon: number, lat: number): void {
    if (this.count === this.ids.length) {
      const grow = (a: Float64Array) => {
        const b = new Float64Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.ids = grow(this.ids);
      this.lons = grow(this.lons);
      this.lats = grow(this.lats);
    }
    if (this.count > 0 && id <= this.ids[this.count - 1]) this.sorted = false;
    this.ids[this.count] = id;
    this.lons[this.count] = lon;
    this.lats[this.count] = lat;
    this.count++;
  }

  /** Sorts by id if the file did not (PBF extracts usually are sorted). */
  finish(): this {
    if (!this.sorted) {
      const order = Array.from({ length: this.count }, (_, i) => i).sort((a, b) => this.ids[a] - this.ids[b]);
      const pick = (a: Float64Array) => Float64Array.from(order, (i) => a[i]);
      this.ids = pick(this.ids);
      this.lons = pick(this.lons);
      this.lats = pick(this.lats);
      this.sorted = true;
    }
    return this;
  }

  /** Row of node `id`, or -1 if the file did not hold it. */
  find(id: number): number {
    let lo = 0,
      hi = this.count - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = this.ids[mid];
      if (v === id) return mid;
      if (v < id) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  id(row: number): number {
    return this.ids[row];
  }
  lon(row: number): number {
    return this.lons[row];
  }
  lat(row: number): number {
    return this.lats[row];
  }

  static from(nodes: Iterable<OsmNode>): NodeTable {
    const t = new NodeTable();
    for (const n of nodes) t.add(n.id, n.lon, n.lat);
    return t.finish();
  }
}

export interface BuildCounts {
  /** Ways in the source, routable or not (defaults to the ways given). */
  waysRead?: number;
}

/**
 * Builds the routable graph from nodes and ways: keeps ways some mode may use (see `wayProfile`),
 * keeps only the nodes those ways use, and makes one arc per allowed direction of each segment,
 * its length by haversine. Segments with a node missing from `nodes` are skipped and counted.
 * The OSM reader and the tests both build through here.
 */
export function buildRoadGraph(
  nodes: NodeTable | Iterable<OsmNode>,
  ways: Iterable<OsmWay>,
  counts: BuildCounts = {},
): RoadGraph {
  const table = nodes instanceof NodeTable ? nodes.finish() : NodeTable.from(nodes);
  const graphIndex = new Int32Array(table.size).fill(-1);
  const lon: number[] = [],
    lat: number[] = [],
    osmId: number[] = [];
  const from: number[] = [],
    to: number[] = [],
    metres: number[] = [];
  const minutes: Record<TravelMode, number[]> = { car: [], walk: [], cycle: [] };
  let waysSeen = 0,
    highwayWays = 0,
    waysKept = 0,
    missingNodeRefs = 0,
    segmentsSkipped = 0;

  const nodeOf = (row: number) => {
    if (graphIndex[row] < 0) {
      graphIndex[row] = lon.length;
      lon.push(table.lon(row));
      lat.push(table.lat(row));
      osmId.push(table.id(row));
    }
    return graphIndex[row];
  };
  const pushArc = (a: number, b: number, length: number, kmh: Record<TravelMode, number>) => {
    from.push(a);
    to.push(b);
    metres.push(length);
    for (const mode of TRAVEL_MODES) minutes[mode].push(kmh[mode] > 0 ? length / ((kmh[mode] * 1000) / 60) : Infinity);
  };

  for (const way of ways) {
    waysSeen++;
    if (way.tags.highway !== undefined) highwayWays++;
    const profile = wayProfile(way.tags);
    if (!profile) continue;
    const anyForward = TRAVEL_MODES.some((m) => profile.forwardKmh[m] > 0);
    const anyBackward = TRAVEL_MODES.some((m) => profile.backwardKmh[m] > 0);
    const rows = way.refs.map((id) => table.find(id));
    for (const r of rows) if (r < 0) missingNodeRefs++;
    let kept = false;
    for (let i = 0; i + 1 < rows.length; i++) {
      const ra = rows[i],
        rb = rows[i + 1];
      if (ra < 0 || rb < 0) {
        segmentsSkipped++;
        continue;
      }
      if (ra === rb) continue; // a repeated node, no length
      const a = nodeOf(ra),
        b = nodeOf(rb);
      const length = metresBetween({ lon: lon[a], lat: lat[a] }, { lon: lon[b], lat: lat[b] });
      if (anyForward) pushArc(a, b, length, profile.forwardKmh);
      if (anyBackward) pushArc(b, a, length, profile.backwardKmh);
      kept = true;
    }
    if (kept) waysKept++;
  }
  return createRoadGraph(
    { lon, lat, osmId },
    { from, to, metres, minutes },
    {
      waysRead: counts.waysRead ?? waysSeen,
      highwayWays,
      waysKept,
      missingNodeRefs,
      segmentsSkipped,
    },
  );
}

/** Tags the router reads; the parser drops the rest, which keeps big files quick. */
const WAY_TAGS = [
  'highway',
  'area',
  'access',
  'motorcar',
  'motor_vehicle',
  'vehicle',
  'bicycle',
  'foot',
  'motorroad',
  'oneway',
  'oneway:bicycle',
  'oneway:foot',
  'oneway:motor_vehicle',
  'junction',
  'maxspeed',
  'maxspeed:forward',
  'maxspeed:backward',
  'cycleway',
  'cycleway:left',
  'cycleway:right',
  'cycleway:both',
];

interface ParsedItem {
  type?: string;
  id?: number;
  lat?: number;
  lon?: number;
  refs?: number[];
  tags?: Record<string, string>;
}

/** Reads nodes and `highway=*` ways from an `.osm.pbf` file, streaming it block by block. */
export async function readOsmPbf(path: string): Promise<{ nodes: NodeTable; ways: OsmWay[]; waysRead: number }> {
  if (!existsSync(path) || !statSync(path).isFile()) {
    throw new InputError(`The road network file ${path} was not found.`, {
      code: 'network_file_missing',
      location: { file: path },
      fix: 'Give the path to an OpenStreetMap extract ending .osm.pbf (for example one downloaded from Geofabrik for your county).',
    });
  }
  if (statSync(path).size === 0) {
    throw new InputError(`The road network file ${path} is empty.`, {
      code: 'network_file_empty',
      location: { file: path },
      fix: 'Download the OpenStreetMap extract again; an .osm.pbf file for a town is several megabytes.',
    });
  }
  const nodes = new NodeTable();
  const ways: OsmWay[] = [];
  let waysRead = 0;
  const sink = new Writable({
    objectMode: true,
    write(items: ParsedItem[], _enc, next) {
      for (const item of items) {
        if (item.type === 'node') nodes.add(item.id!, item.lon!, item.lat!);
        else if (item.type === 'way') {
          waysRead++;
          if (item.tags?.highway !== undefined) ways.push({ id: item.id!, refs: item.refs ?? [], tags: item.tags });
        }
      }
      next();
    },
  });
  try {
    await pipeline(
      createReadStream(path),
      new OSMTransform({ withTags: { node: false, way: WAY_TAGS, relation: false }, withInfo: false }),
      sink,
    );
  } catch (err) {
    throw new InputError(
      `The road network file ${path} could not be read as an OpenStreetMap .osm.pbf file (${(err as Error).message}).`,
      {
        code: 'network_file_unreadable',
        location: { file: path },
        fix: 'Check the file is a complete .osm.pbf download (not .osm.bz2 or a partial download) and try again.',
        cause: err,
      },
    );
  }
  return { nodes: nodes.finish(), ways, waysRead };
}

/** Reads an `.osm.pbf` extract and makes it ready for routing: the entry point for `--costs network --network FILE`. */
export async function loadRoadNetwork(
  pbfPath: string,
  options: { onProgress?: (stage: string) => void } = {},
): Promise<RoadNetwork> {
  options.onProgress?.('Reading the OpenStreetMap file');
  const { nodes, ways, waysRead } = await readOsmPbf(pbfPath);
  options.onProgress?.('Building the road graph');
  const graph = buildRoadGraph(nodes, ways, { waysRead });
  if (graph.summary.arcs === 0) {
    throw new InputError(
      `The road network file ${pbfPath} holds no roads or paths that can be used for travel (${waysRead} ways read, none routable).`,
      {
        code: 'network_empty',
        location: { file: pbfPath },
        fix: 'Use an OpenStreetMap extract that covers your area and includes its highways.',
      },
    );
  }
  return new RoadNetwork(graph);
}
