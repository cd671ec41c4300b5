/**
 * The map result: the figures per area of one measure at one area level, a contract shared by the
 * portal's map page and table, /map/data.geojson and its vector tiles, and `civic map` (GeoJSON,
 * CSV, XLSX, JSON). An analysis returns the truth (nothing hidden, `disclosure` null, the dataset
 * profile behind a penetration or index map in `source`); outputs' `discloseMap` turns it into what
 * every viewer sees (small cells hidden, dataset counts perturbed, keys and `source` removed).
 */
import { z } from 'zod';
import { ProfileResultSchema } from '../profiling/index.ts';
import { MEASURE_KINDS } from './constants.ts';

export const MAP_RESULT_VERSION = 1;

export const LegendEntrySchema = z.object({
  cls: z.number().int(),
  colour: z.string(),
  css: z.string(),
  label: z.string(),
});
export type LegendEntry = z.infer<typeof LegendEntrySchema>;

export const AreaFigureSchema = z.object({
  code: z.string(),
  name: z.string().nullable(),
  /** the mapped value; null when not shown (small cell) or there is no figure */
  value: z.number().nullable(),
  /** what the value is made of, where it is a rate: the count and the base */
  count: z.number().nullable(),
  base: z.number().nullable(),
  /** colour class: 0.. for a value, -1 not shown (small cell), -2 no figure */
  cls: z.number().int(),
  /** the value as a person reads it */
  text: z.string(),
  /** a dataset cell's key for the cell key method; never shown: the boundary removes it */
  cellKey: z.number().nullable(),
});
export type AreaFigure = z.infer<typeof AreaFigureSchema>;

export const MapResultSchema = z.object({
  version: z.literal(MAP_RESULT_VERSION),
  measure: z.string(),
  kind: z.enum(MEASURE_KINDS),
  level: z.string(),
  levelTitle: z.string(),
  title: z.string(),
  valueLabel: z.string(),
  countLabel: z.string().nullable(),
  baseLabel: z.string().nullable(),
  areas: z.array(AreaFigureSchema),
  legend: z.array(LegendEntrySchema),
  notes: z.array(z.string()),
  /** counts under this are hidden (0 in the truth) */
  minCell: z.number(),
  /** areas not shown because of a small count */
  suppressed: z.number(),
  /** the viewer asked for another level; this is the one the measure exists at */
  levelChanged: z.string().nullable(),
  /** how the figures were protected; null in the truth */
  disclosure: z
    .object({ minCell: z.number(), primary: z.number(), secondary: z.number(), perturbed: z.boolean() })
    .nullable(),
  /** the dataset profile behind a penetration or index map; removed at the boundary */
  source: ProfileResultSchema.nullable(),
});
export type MapResult = z.infer<typeof MapResultSchema>;

export const MapOptionsSchema = z.object({
  levels: z.array(z.object({ value: z.string(), text: z.string() })),
  measures: z.array(z.object({ group: z.string(), items: z.array(z.object({ value: z.string(), text: z.string() })) })),
  deprivationLevel: z.string().nullable(),
});
export type MapOptions = z.infer<typeof MapOptionsSchema>;
