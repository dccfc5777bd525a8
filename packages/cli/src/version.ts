/**
 * weft's version, as `weft --version` prints it. Written out rather than read from
 * package.json at run time: the bundle (dist/bundle) and the unbundled build (dist) sit at
 * different depths below it. test/cli/usertest.test.ts holds the two equal.
 */
export const WEFT_VERSION = '0.1.0';
