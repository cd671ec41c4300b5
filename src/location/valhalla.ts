/**
 * Valhalla as a cost source, when a council has it: `@valhallajs/valhallajs` (Node bindings with the
 * routing engine inside, about 280 MB) is not a dependency of the Observatory; it is loaded only
 * when asked for, from tiles the council built with `npx valhalla build_tiles`. Requests are cut to
 * Valhalla's limit on location pairs; an origin Valhalla cannot route from is marked unreachable
 * rather than failing the whole matrix.
 */
import { existsSync } from 'node:fs';
import { InputError } from '../core/index.ts';
import type { CostMatrix, CostSource, Place, TravelMode } from './costs.ts';

/** The part of Valhalla's Actor used here. */
export interface ValhallaActor {
  matrix(query: Record<string, unknown>): Promise<Record<string, unknown>>;
}

/** Valhalla's costing model for each travel mode. */
export const VALHALLA_COSTING: Readonly<Record<TravelMode, string>> = {
  car: 'auto',
  walk: 'pedestrian',
  cycle: 'bicycle',
};
/** Valhalla's default `max_matrix_location_pairs`. */
export const VALHALLA_MAX_PAIRS = 2500;

const PACKAGE = '@valhallajs/valhallajs';

/** An Actor from a Valhalla config file, or a clear error saying how to get one. */
export async function loadValhalla(configFile: string): Promise<ValhallaActor> {
  if (!existsSync(configFile)) {
    throw new InputError(`There is no Valhalla configuration at ${configFile}.`, {
      code: 'valhalla_config_missing',
      location: { file: configFile },
      fix: 'Build one with: npx valhalla build_config --mjolnir-tile-dir TILES --mjolnir-tile-extract TILES.tar > config.json, then npx valhalla build_tiles -c config.json AREA.osm.pbf',
    });
  }
  let mod: { Actor: { fromConfigFile(f: string): Promise<ValhallaActor> } };
  try {
    mod = await import(PACKAGE);
  } catch {
    throw new InputError('Valhalla is not installed here.', {
      code: 'valhalla_missing',
      fix: `Install it beside the Observatory with: npm install ${PACKAGE} (or time journeys with --network FILE.osm.pbf instead).`,
    });
  }
  return mod.Actor.fromConfigFile(configFile);
}

interface MatrixCell {
  from_index: number;
  to_index: number;
  time: number | null;
}

/** A CostSource that asks Valhalla for every origin × destination time. */
export function valhallaCosts(actor: ValhallaActor, opts: { maxPairs?: number; label?: string } = {}): CostSource {
  const maxPairs = opts.maxPairs ?? VALHALLA_MAX_PAIRS;
  const description = `Valhalla${opts.label ? ` (${opts.label})` : ''}`;
  return {
    description,
    async matrix(origins: readonly Place[], destinations: readonly Place[], mode: TravelMode): Promise<CostMatrix> {
      const minutes = new Float32Array(origins.length * destinations.length).fill(Infinity);
      const costing = VALHALLA_COSTING[mode];
      const loc = (p: Place) => ({ lat: p.lat, lon: p.lon });
      const targetBlock = Math.max(1, Math.min(destinations.length, maxPairs));
      const sourceBlock = Math.max(1, Math.floor(maxPairs / targetBlock));
      const ask = async (o0: number, o1: number, d0: number, d1: number): Promise<void> => {
        const r = await actor.matrix({
          sources: origins.slice(o0, o1).map(loc),
          targets: destinations.slice(d0, d1).map(loc),
          costing,
        });
        for (const row of (r.sources_to_targets ?? []) as MatrixCell[][]) {
          for (const c of row)
            if (c.time !== null && c.time !== undefined)
              minutes[(o0 + c.from_index) * destinations.length + d0 + c.to_index] = c.time / 60;
        }
      };
      for (let d0 = 0; d0 < destinations.length; d0 += targetBlock) {
        const d1 = Math.min(destinations.length, d0 + targetBlock);
        for (let o0 = 0; o0 < origins.length; o0 += sourceBlock) {
          const o1 = Math.min(origins.length, o0 + sourceBlock);
          try {
            await ask(o0, o1, d0, d1);
          } catch {
            // One bad origin (off the tiles, too far) fails the whole request: ask again one by one,
            // and leave the origins Valhalla cannot route from as unreachable.
            for (let o = o0; o < o1; o++) await ask(o, o + 1, d0, d1).catch(() => {});
          }
        }
      }
      return { origins, destinations, minutes, mode, source: `${description}, ${costing} costing` };
    },
  };
}
