/**
 * Run by scripts/run-tests.mjs beside the test files at the start of a run: builds the suite's
 * Sample Boroughs into the run's cache (test/helpers/sample-borough.ts), so that the test files
 * asking for them find them built, or being built, rather than each waiting its turn to build one.
 * Nothing depends on it finishing: a file whose borough is not there builds it itself.
 */
import { prebuildSampleBoroughs, SUITE_BOROUGHS } from './sample-borough.ts';

await prebuildSampleBoroughs(SUITE_BOROUGHS);
