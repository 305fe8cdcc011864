/** Which migration a step concerned. */
export interface MigrationRef {
  readonly version: number;
  readonly name: string;
  /** The file name, e.g. `0001_create_cities.sql`. */
  readonly file: string;
}
