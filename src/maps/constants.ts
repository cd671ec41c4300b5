/** The light face of maps: plain values for command definitions (--help) and for routes' role checks. */

export const MEASURE_KINDS = [
  'households',
  'segment',
  'penetration',
  'index',
  'deprivation',
  'access',
  // a channel's share of an area's contacts, or its index against the borough's mix: drawn from a
  // channel mix by area as its viewer may see it (outputs' channelMixMap), never from records
  'channel-share',
  'channel-index',
] as const;
export type MeasureKind = (typeof MEASURE_KINDS)[number];

/** Measures that come from a dataset's records: only staff and partners may map them, and their counts carry the cell key method's noise for everyone. */
export const DATASET_MEASURES: readonly MeasureKind[] = ['penetration', 'index'];

/** What `civic map` can write. */
export const MAP_FORMATS = ['table', 'geojson', 'csv', 'xlsx', 'json'] as const;
