import * as path from 'path';

/** vega-datasets' Seattle hourly weather normals (8759 rows, 2010): the real series of the model and CLI tests. */
export const SEATTLE_HOURLY = path.resolve(
  __dirname,
  '../../../node_modules/vega-datasets/data/seattle-weather-hourly-normals.csv',
);
